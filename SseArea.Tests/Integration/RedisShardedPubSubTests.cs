using SseArea.Tests.Infrastructure;
using StackExchange.Redis;

namespace SseArea.Tests.Integration;

/// <summary>
/// <c>Sse:RedisShardedPubSub</c> on a single Redis 7 (the run's test server): the settings a cluster
/// uses work in development too, and what changes for other publishers.
/// </summary>
[CancelAfter(60_000)]
public sealed class RedisShardedPubSubTests : TestSiteFixture
{
    private RedisTestServer _redis = null!;

    private protected override TestSiteOptions SiteOptions => new()
    {
        Broker = BrokerKind.Redis,
        Settings =
        {
            [TestSettings.RedisShardedPubSub] = "true",
            [TestSettings.HistoryLength] = "100",
        },
    };

    [OneTimeSetUp]
    public async Task FindRedisAsync() => _redis = await RedisTestServer.GetAsync();

    [Test]
    public async Task Stream_IsServedBySSubscribe_AndEventsAndReplayWork()
    {
        var channel = Unique("single");
        string seen;
        await using (var first = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=" + channel))
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(await ShardNumSubAsync(channel), Is.EqualTo(1));
                Assert.That(await _redis.NumSubAsync(channel), Is.Zero);
            }

            Assert.That(await Publisher.PublishAsync("one", channel: channel), Is.EqualTo(1));
            var text = await first.ReadEventAsync();
            Assert.That(text, Does.StartWith("data:one\nid:"));
            seen = text.Split('\n')[1][3..];
        }

        await Publisher.PublishAsync("two", channel: channel);
        await using var second = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=" + channel, h => h.Add("Last-Event-ID", seen));

        Assert.That(await second.ReadEventAsync(), Does.StartWith("data:two\n"));
        await Eventually.HoldsAsync(async () => await ShardNumSubAsync(channel) == 1, "the first stream's SSUBSCRIBE ended, the second's holds");
    }

    [Test]
    public async Task FlaskSsePublish_IsNotSeen_WhileSPublishIs()
    {
        var channel = Unique("interop");
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=" + channel);

        var viaPublish = await _redis.PublishRawAsync(channel, "{\"data\": \"plain PUBLISH\"}");
        var viaSPublish = await _redis.Client.GetSubscriber().PublishAsync(RedisChannel.Sharded(channel), "{\"data\": \"SPUBLISH\"}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(viaPublish, Is.Zero, "Flask-SSE's PUBLISH reaches no sharded subscriber");
            Assert.That(viaSPublish, Is.EqualTo(1));
            Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:SPUBLISH\n\n"), "only the SPUBLISHed event, the first the stream gets");
        }
    }

    [Test]
    public void ChannelWhoseHashedPartHoldsAClosingBrace_IsRefusedWithHistory_OnASingleRedisToo()
    {
        var refused = Assert.ThrowsAsync<ArgumentException>(() => Publisher.PublishAsync("x", channel: "odd}" + Guid.NewGuid().ToString("N")));

        Assert.That(refused!.ParamName, Is.EqualTo("channel"));
    }

    private async Task<long> ShardNumSubAsync(string channel)
    {
        var reply = (RedisResult[])(await _redis.Client.GetDatabase().ExecuteAsync("PUBSUB", "SHARDNUMSUB", channel))!;
        return (long)reply[1];
    }

    private static string Unique(string name) => $"sharded.{name}.{Guid.NewGuid():N}";
}
