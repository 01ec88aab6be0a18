using System.Net;
using SseArea.Tests.Infrastructure;
using StackExchange.Redis;

namespace SseArea.Tests.Integration;

/// <summary>What only the Redis broker promises: Flask-SSE's wire format on Redis, and its failure modes.</summary>
[CancelAfter(60_000)]
public sealed class RedisBrokerTests : TestSiteFixture
{
    private RedisTestServer _redis = null!;

    private protected override TestSiteOptions SiteOptions => new() { Broker = BrokerKind.Redis };

    [OneTimeSetUp]
    public async Task FindRedisAsync() => _redis = await RedisTestServer.GetAsync();

    [TestCase("{\"data\": \"thing\"}", "data:thing\n\n")]
    [TestCase("{\"data\": \"thing\", \"type\": \"example\"}", "event:example\ndata:thing\n\n")]
    [TestCase("{\"data\": {\"message\": \"Hello!\"}, \"type\": \"greeting\"}", "event:greeting\ndata:{\"message\": \"Hello!\"}\n\n")]
    [TestCase("{\"data\": \"foo\", \"type\": \"example\", \"id\": 5, \"retry\": 500}", "event:example\ndata:foo\nid:5\nretry:500\n\n")]
    [TestCase("{\"data\": \"foo\\nbar\"}", "data:foo\ndata:bar\n\n")]
    [TestCase("{\"data\": 42}", "data:42\n\n")]
    [TestCase("{\"data\": [1, 2]}", "data:[1, 2]\n\n")]
    [TestCase("{\"data\": null, \"id\": \"abc\"}", "data:null\nid:abc\n\n")]
    public async Task FlaskSsePayloadPublishedByAPlainRedisClient_ArrivesAsTheExactEventText(string payload, string expected)
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=from.python");

        var receivers = await _redis.PublishRawAsync("from.python", payload);

        Assert.That(receivers, Is.EqualTo(1), "one Redis subscriber: this server");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo(expected));
    }

    [Test]
    public async Task Publisher_WritesFlaskSseJsonToRedis()
    {
        var payloads = await _redis.Client.GetSubscriber().SubscribeAsync(RedisChannel.Literal("to.python"));
        try
        {
            await Publisher.PublishAsync(new { message = "Hello!" }, type: "greeting", channel: "to.python");
            await Publisher.PublishAsync("thing", channel: "to.python");
            await Publisher.PublishAsync("foo", type: "example", id: "5", retry: 500, channel: "to.python");

            using var deadline = new CancellationTokenSource(SseTestStream.DefaultTimeout);
            var received = new List<string>();
            for (var i = 0; i < 3; i++)
            {
                received.Add((await payloads.ReadAsync(deadline.Token)).Message.ToString());
            }

            Assert.That(received, Is.EqualTo(new[]
            {
                "{\"data\":{\"message\":\"Hello!\"},\"type\":\"greeting\"}",
                "{\"data\":\"thing\"}",
                "{\"data\":\"foo\",\"type\":\"example\",\"id\":\"5\",\"retry\":500}",
            }));
        }
        finally
        {
            await payloads.UnsubscribeAsync();
        }
    }

    [Test]
    public async Task InvalidPayloads_AreSkippedAndTheStreamGoesOn()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=hostile");
        string[] invalid =
        [
            "not json",
            "[\"data\"]",
            "{\"type\": \"no data\"}",
            "{\"data\": \"x\", \"type\": \"a\\nevent:forged\"}",
            "{\"data\": \"x\", \"type\": 7}",
            "{\"data\": \"x\", \"id\": \"1\\r\\ndata:forged\"}",
            "{\"data\": \"x\", \"id\": \"1\\u0000\"}",
            "{\"data\": \"x\", \"id\": {\"a\": 1}}",
            "{\"data\": \"x\", \"retry\": \"soon\"}",
            "{\"data\": \"x\", \"retry\": -1}",
            "{\"data\": \"\\ud800\"}",
        ];

        foreach (var payload in invalid)
        {
            await _redis.PublishRawAsync("hostile", payload);
        }

        await _redis.PublishRawAsync("hostile", "{\"data\": \"still here\"}");

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:still here\n\n"), "every invalid payload skipped, none forged a field");
    }

    [Test]
    public async Task Publish_ReturnsTheNumberOfRedisSubscribers()
    {
        Assert.That(await Publisher.PublishAsync("nobody", channel: "count.me"), Is.Zero);
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=count.me");
        var extra = await _redis.Client.GetSubscriber().SubscribeAsync(RedisChannel.Literal("count.me"));
        try
        {
            Assert.That(await Publisher.PublishAsync("two servers", channel: "count.me"), Is.EqualTo(2));
        }
        finally
        {
            await extra.UnsubscribeAsync();
        }
    }

    [Test]
    public async Task SseRedisUrl_BeatsRedisUrl()
    {
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.SseRedisUrlVariable] = _redis.Url,
            [TestSettings.RedisUrlVariable] = "redis://:wrong@127.0.0.1:1",
        });
        await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=precedence");

        await _redis.PublishRawAsync("precedence", "{\"data\": \"via SSE_REDIS_URL\"}");

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:via SSE_REDIS_URL\n\n"));
    }

    [Test]
    public async Task UnreachableRedis_StreamAnswers503AndPublishingThrows()
    {
        var closedPort = RedisTestServer.FreeLoopbackPort();
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.RedisUrl] = $"redis://:secret@127.0.0.1:{closedPort}",
        });

        using var stream = await site.Http.GetAsync("/sse/stream?channel=down");
        await Problems.AssertAsync(stream, HttpStatusCode.ServiceUnavailable, $"127.0.0.1:{closedPort}");

        var error = Assert.ThrowsAsync<SseBrokerException>(() => site.Publisher.PublishAsync("lost?", channel: "down"));
        Assert.That(error!.Message, Does.Contain("unreachable").And.Not.Contain("secret"));
    }

    [Test]
    public async Task FailedSubscribe_LeavesNothingBehindAndTheNextClientSubscribes()
    {
        // A site whose Redis commands time out after 300 ms, and a Redis of the test's own that then
        // answers nothing (SIGSTOP) until the refusal has come, however long the machine takes.
        await using var redis = await OwnRedisServer.StartAsync();
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.RedisUrl] = $"127.0.0.1:{redis.Port},asyncTimeout=300",
        });
        var http = site.Http;
        // Connected before Redis stops answering: a publish goes through (it throws otherwise).
        await site.Publisher.PublishAsync("warm-up", channel: "paused.warm-up");

        await redis.SuspendAsync();
        try
        {
            using var refused = await http.GetAsync("/sse/stream?channel=paused", HttpCompletionOption.ResponseHeadersRead);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "no stream while SUBSCRIBE goes unanswered");
            await Problems.AssertAsync(refused, HttpStatusCode.ServiceUnavailable, "did not confirm");
        }
        finally
        {
            await redis.ResumeAsync();
        }

        // The SUBSCRIBE and its clean-up UNSUBSCRIBE are answered now, in order, before this PING.
        await redis.Client.GetDatabase().PingAsync();
        var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=paused");
        await using (stream)
        {
            await redis.Client.GetSubscriber().PublishAsync(RedisChannel.Literal("paused"), "{\"data\": \"after the pause\"}");
            Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:after the pause\n\n"), "the next client subscribed again");
        }

        await Eventually.HoldsAsync(async () => await redis.NumSubAsync("paused") == 0, "no subscription is left once the last client left");
    }

    [TestCase(TestSettings.RedisUrlVariable, "redis://:hunter2@127.0.0.1:notaport", "the port 'notaport'")]
    [TestCase(TestSettings.SseRedisUrlVariable, "http://user:hunter2@127.0.0.1", "the scheme 'http'")]
    [TestCase(TestSettings.RedisUrl, "127.0.0.1:6379,password=hunter2,nosuchsetting=1", "configuration string")]
    [TestCase(TestSettings.RedisUrl, "redis:/:hunter2@127.0.0.1", "not a host name")]
    [TestCase(TestSettings.RedisUrlVariable, "redis://:hunter2@host,password=x", "the host holds characters")]
    public void MalformedRedisUrl_StopsStartupNamingTheKeyWithThePasswordMasked(string key, string value, string reason)
    {
        var error = Assert.CatchAsync(async () => await TestSite.StartAsync(BrokerKind.InMemory, new() { [key] = value }));

        var message = error!.ToString();
        Assert.That(message, Does.Contain($"'{key}'").And.Contain(reason).And.Contain("****").And.Not.Contain("hunter2"));
    }
}
