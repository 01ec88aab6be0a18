using SseArea.Tests.Infrastructure;
using static SseArea.Tests.Integration.RedisRestartTests;

namespace SseArea.Tests.Integration;

/// <summary>
/// Two servers sharing one Redis (the test's own <c>redis-server</c>), with clients on both: the
/// test host twice in process behind real Kestrel on different loopback ports, or as two processes.
/// </summary>
[CancelAfter(60_000)]
public sealed class SeveralServersTests
{
    private OwnRedisServer _redis = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync() => _redis = await OwnRedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopRedisAsync() => await _redis.DisposeAsync();

    [Test]
    public async Task AnEventPublishedOnEitherServer_ReachesTheClientsOfBoth()
    {
        await using var first = await StartAsync();
        await using var second = await StartAsync();
        Assert.That(first.Address.Port, Is.Not.EqualTo(second.Address.Port));
        var streams = new List<SseTestStream>();
        try
        {
            // The default channel.
            foreach (var site in (TestSite<TestHost.Program>[])[first, first, second, second])
            {
                streams.Add(await SseTestStream.OpenAsync(site.Http, "/sse/stream"));
            }

            Assert.That(await _redis.NumSubAsync("sse"), Is.EqualTo(2), "one subscription per server");

            Assert.That(await first.Publisher.PublishAsync("from the first", type: "greeting"), Is.EqualTo(2), "Redis counts one receiver per server");
            foreach (var stream in streams)
            {
                Assert.That(await stream.ReadEventAsync(), Is.EqualTo("event:greeting\ndata:from the first\n\n"));
            }

            Assert.That(await second.Publisher.PublishAsync(new { message = "Hello!" }, type: "greeting"), Is.EqualTo(2));
            foreach (var stream in streams)
            {
                Assert.That(await stream.ReadEventAsync(), Is.EqualTo("event:greeting\ndata:{\"message\":\"Hello!\"}\n\n"));
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task TwoProcesses_DeliverEachOthersEvents_AndEachReportsItsCountToRedis()
    {
        var environment = new Dictionary<string, string> { [TestSettings.AsEnvironmentVariable(TestSettings.RedisUrl)] = _redis.Url };
        await using var first = await TestSiteProcess.StartAsync(environment);
        await using var second = await TestSiteProcess.StartAsync(environment);
        var streams = new List<SseTestStream>();
        try
        {
            // The default channel, which a publish without a channel goes to.
            foreach (var site in (TestSiteProcess[])[first, first, second, second, second])
            {
                streams.Add(await SseTestStream.OpenAsync(site.Http, "/sse/stream"));
            }

            Assert.That(await _redis.NumSubAsync("sse"), Is.EqualTo(2), "one subscription per process");
            Assert.That(await first.PublishAsync("{\"message\":\"Hello!\"}", type: "greeting"), Is.EqualTo(2), "Redis counts one receiver per process");
            foreach (var stream in streams)
            {
                Assert.That(await stream.ReadEventAsync(), Is.EqualTo("event:greeting\ndata:{\"message\":\"Hello!\"}\n\n"));
            }

            await second.PublishAsync("from the second process", channel: "sse");
            foreach (var stream in streams)
            {
                Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:from the second process\n\n"));
            }

            // Each process keeps its own entry (count:expiry) in the channel's hash; they add up.
            await Eventually.AcceptedAsync(
                async () => (await _redis.Client.GetDatabase().HashValuesAsync(SseArea.Internal.Redis.RedisKeys.Subscribers("sse"))).Select(v => long.Parse(((string)v!).Split(':')[0], System.Globalization.CultureInfo.InvariantCulture)).Order().ToArray(),
                counts => counts.SequenceEqual([2L, 3L]),
                "one entry per process, 2 + 3 streams");

            // A clean stop (SIGTERM) takes the process's entry with it.
            await second.DisposeAsync();
            await Eventually.HoldsAsync(async () => await _redis.Client.GetDatabase().HashLengthAsync(SseArea.Internal.Redis.RedisKeys.Subscribers("sse")) == 1, "the stopped process's count is gone");
            Assert.That(await _redis.NumSubAsync("sse"), Is.EqualTo(1), "the stopped process's subscription is gone");
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task SubscriberCounts_AddUpAcrossBothServers_AndFallToZeroWhenAllLeave()
    {
        await using var first = await StartAsync();
        await using var second = await StartAsync();
        const string Channel = "counted.everywhere";
        var onFirst = new List<SseTestStream>();
        var onSecond = new List<SseTestStream>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                onFirst.Add(await SseTestStream.OpenAsync(first.Http, "/sse/stream?channel=" + Channel));
            }

            for (var i = 0; i < 3; i++)
            {
                onSecond.Add(await SseTestStream.OpenAsync(second.Http, "/sse/stream?channel=" + Channel));
            }

            await Eventually.HoldsAsync(async () => await first.Stats.CountSubscribersAsync(Channel) == 5, "the first server counts both servers' clients");
            await Eventually.HoldsAsync(async () => await second.Stats.CountSubscribersAsync(Channel) == 5, "the second server counts both servers' clients");

            await onFirst[0].DisposeAsync();
            onFirst.RemoveAt(0);
            await Eventually.HoldsAsync(async () => await second.Stats.CountSubscribersAsync(Channel) == 4, "the other server sees a client leave");

            foreach (var stream in onFirst.Concat(onSecond))
            {
                await stream.DisposeAsync();
            }

            onFirst.Clear();
            onSecond.Clear();
            await Eventually.HoldsAsync(async () => await first.Stats.CountSubscribersAsync(Channel) == 0, "no client is left anywhere");
            await Eventually.HoldsAsync(async () => await second.Stats.CountSubscribersAsync(Channel) == 0, "no client is left anywhere, seen from the other server");
            await Eventually.HoldsAsync(async () => !await _redis.Client.GetDatabase().KeyExistsAsync(SseArea.Internal.Redis.RedisKeys.Subscribers(Channel)), "no count is left in Redis");
        }
        finally
        {
            foreach (var stream in onFirst.Concat(onSecond))
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task WithHistory_AClientMovingToTheOtherServer_GetsExactlyTheEventsItMissed()
    {
        await using var first = await StartAsync(history: 100);
        await using var second = await StartAsync(history: 100);
        const string Channel = "moving";

        // A client that stays on the second server sees every event, with the ids Redis gave them.
        await using var witness = await SseTestStream.OpenAsync(second.Http, "/sse/stream?channel=" + Channel);
        string seen;
        await using (var mover = await SseTestStream.OpenAsync(first.Http, "/sse/stream?channel=" + Channel))
        {
            await first.Publisher.PublishAsync("one", channel: Channel);
            seen = IdOf(await mover.ReadEventAsync());
        }

        // Published on both servers while the client is away.
        await second.Publisher.PublishAsync("two", channel: Channel);
        await first.Publisher.PublishAsync("three", channel: Channel);
        var one = await witness.ReadEventAsync();
        var two = await witness.ReadEventAsync();
        var three = await witness.ReadEventAsync();
        Assert.That(IdOf(one), Is.EqualTo(seen), "both servers see the same id: the Redis stream's");

        await using var moved = await SseTestStream.OpenAsync(second.Http, "/sse/stream?channel=" + Channel, h => h.Add("Last-Event-ID", seen));
        Assert.That(await moved.ReadEventAsync(), Is.EqualTo(two), "the first missed event, exactly as the other clients got it");
        Assert.That(await moved.ReadEventAsync(), Is.EqualTo(three));
        await first.Publisher.PublishAsync("four", channel: Channel);
        var four = await moved.ReadEventAsync();
        Assert.That(DataOf(four), Is.EqualTo("four"), "then live events, nothing again and nothing between");
        Assert.That(await witness.ReadEventAsync(), Is.EqualTo(four));
    }

    /// <summary>The test host in process on the shared Redis.</summary>
    private Task<TestSite<TestHost.Program>> StartAsync(int history = 0)
        => TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.RedisUrl] = _redis.Url,
            [TestSettings.HistoryLength] = history.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
}
