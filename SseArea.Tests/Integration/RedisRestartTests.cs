using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// Redis restarts while clients are connected: the test's own <c>redis-server</c> is killed (SIGKILL)
/// and started again on the same port, under the test host behind real Kestrel.
/// </summary>
[CancelAfter(90_000)]
public sealed class RedisRestartTests
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromMilliseconds(200);

    // SE.Redis retries the connection on its own schedule (backoff from ConnectTimeout); generous.
    private static readonly TimeSpan ReconnectTimeout = TimeSpan.FromSeconds(30);

    [Test]
    public async Task RedisRestart_StreamsStayOpenWithHeartbeats_SubscriptionsReturn_AndTheSameStreamsGetLaterEvents()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RedisUrl] = redis.Url, [TestSettings.HeartbeatInterval] = Heartbeat.ToString() });
        var publisher = site.Publisher;
        var streams = new List<SseTestStream>();
        try
        {
            streams.Add(await OpenAsync(site, "restart.a"));
            streams.Add(await OpenAsync(site, "restart.a"));
            streams.Add(await OpenAsync(site, "restart.b"));
            Assert.That(await redis.NumSubAsync("restart.a"), Is.EqualTo(1), "one subscription per channel per process");
            await publisher.PublishAsync("before", channel: "restart.a");
            Assert.That(await streams[0].ReadEventAsync(), Is.EqualTo("data:before\n\n"));
            Assert.That(await streams[1].ReadEventAsync(), Is.EqualTo("data:before\n\n"));

            await redis.KillAsync();
            await WaitForHealthAsync(site, HealthStatus.Unhealthy, "the sse health check is unhealthy while Redis is down");
            var outage = Stopwatch.StartNew();
            using (var health = await site.Http.GetAsync("/healthz"))
            {
                Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "/healthz reports the outage");
            }

            // Heartbeats go on: read concurrently, so a heartbeat buffered before the outage is used up at once.
            await Task.WhenAll(streams.Select(stream => ReadHeartbeatAfterAsync(stream, outage, 2 * Heartbeat)));

            var lost = Assert.ThrowsAsync<SseBrokerException>(() => publisher.PublishAsync("lost", channel: "restart.a"));
            Assert.That(lost!.Message, Does.Contain($"127.0.0.1:{redis.Port}"), "a publish during the outage throws, naming Redis");
            Assert.ThrowsAsync<SseBrokerException>(() => site.Stats.CountSubscribersAsync("restart.a"), "no cluster-wide count without Redis");
            using (var refused = await site.Http.GetAsync("/sse/stream?channel=restart.c"))
            {
                await Problems.AssertAsync(refused, HttpStatusCode.ServiceUnavailable, "unreachable");
            }

            // The only client of restart.b leaves during the outage: its subscription must not come back.
            await streams[2].DisposeAsync();
            streams.RemoveAt(2);
            await Eventually.HoldsAsync(() => Task.FromResult(site.Metrics.Sum("sse.connections.current") == 2), "the server let the leaving client go");

            await redis.StartAgainAsync();
            var back = Stopwatch.StartNew();
            await WaitForHealthAsync(site, HealthStatus.Healthy, "the sse health check is healthy once Redis is back");
            using (var health = await site.Http.GetAsync("/healthz"))
            {
                Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "/healthz reports Redis back");
            }
            await Eventually.HoldsAsync(async () => await redis.NumSubAsync("restart.a") == 1, "the subscription came back by itself", ReconnectTimeout);
            TestContext.Progress.WriteLine($"Redis restart: subscription renewed {back.ElapsedMilliseconds} ms after Redis answered PING again, {outage.ElapsedMilliseconds} ms after the outage was noticed");
            Assert.That(await redis.NumSubAsync("restart.b"), Is.Zero, "a channel whose last client left during the outage is not subscribed again");
            Assert.That(site.Metrics.Sum("sse.redis.reconnects"), Is.GreaterThanOrEqualTo(1), "the reconnect was counted");

            foreach (var stream in streams)
            {
                Assert.That(await stream.ReadEventAsync(), Is.EqualTo(MissedNotice("restart.a")), "the open stream is told it may have missed events, never a silent gap");
            }

            await publisher.PublishAsync("after", channel: "restart.a");
            foreach (var stream in streams)
            {
                Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:after\n\n"), "the same stream, the next event: nothing from the outage");
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
    public async Task RedisRestart_WithoutPersistence_TheServerWritesItsSubscriberCountsAgainAtOnce()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RedisUrl] = redis.Url });
        await using var stream = await OpenAsync(site, "counted");
        await Eventually.HoldsAsync(async () => await redis.Client.GetDatabase().HashLengthAsync(SseArea.Internal.Redis.RedisKeys.Subscribers("counted")) == 1, "the server reported its count");

        await redis.KillAsync();
        await WaitForHealthAsync(site, HealthStatus.Unhealthy, "Redis is down");
        await redis.StartAgainAsync(); // without persistence: empty

        // Well before the 10 s refresh: the restored connection rewrites every count at once.
        await WaitForHealthAsync(site, HealthStatus.Healthy, "Redis is back");
        await Eventually.HoldsAsync(async () => await redis.Client.GetDatabase().HashLengthAsync(SseArea.Internal.Redis.RedisKeys.Subscribers("counted")) == 1, "the count is written again", TimeSpan.FromSeconds(5));
        Assert.That(await site.Stats.CountSubscribersAsync("counted"), Is.EqualTo(1));
    }

    [Test]
    public async Task RedisRestart_WithPersistence_AClientReconnectingWithLastEventId_MissesNothingThatReachedRedis()
    {
        await using var redis = await OwnRedisServer.StartAsync(persistent: true);
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RedisUrl] = redis.Url, [TestSettings.HistoryLength] = "100" });
        var publisher = site.Publisher;
        string seen;
        await using (var stream = await OpenAsync(site, "kept"))
        {
            await publisher.PublishAsync("one", channel: "kept");
            seen = IdOf(await stream.ReadEventAsync());
        }

        await publisher.PublishAsync("two", channel: "kept"); // reached Redis while the client was away
        await redis.KillAsync();
        await WaitForHealthAsync(site, HealthStatus.Unhealthy, "Redis is down");
        Assert.ThrowsAsync<SseBrokerException>(() => publisher.PublishAsync("three", channel: "kept"), "never reached Redis, and the publisher knows");
        await redis.StartAgainAsync();
        await WaitForHealthAsync(site, HealthStatus.Healthy, "Redis is back");
        await publisher.PublishAsync("four", channel: "kept");

        await using var again = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=kept", h => h.Add("Last-Event-ID", seen));
        var two = await again.ReadEventAsync();
        var four = await again.ReadEventAsync();
        Assert.That(DataOf(two), Is.EqualTo("two"));
        Assert.That(DataOf(four), Is.EqualTo("four"));
        Assert.That(string.CompareOrdinal(IdOf(two), seen) > 0 && IdOf(four) != IdOf(two), Is.True, $"ids go on after the restart: {seen}, {IdOf(two)}, {IdOf(four)}");
        await publisher.PublishAsync("five", channel: "kept");
        Assert.That(DataOf(await again.ReadEventAsync()), Is.EqualTo("five"), "then live events, nothing else between");
    }

    [Test]
    public async Task RedisKilledMidPublish_EveryPublishThatReturnedIsReplayedAfterTheRestart_TheOthersThrew()
    {
        await using var redis = await OwnRedisServer.StartAsync(persistent: true);
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RedisUrl] = redis.Url, [TestSettings.HistoryLength] = "100000" });
        var publisher = site.Publisher;
        var returned = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threw = new System.Collections.Concurrent.ConcurrentBag<string>();
        var next = 0;

        // Eight publishers, each going on until its first failure.
        async Task PublishUntilItFailsAsync()
        {
            while (true)
            {
                var data = "event " + Interlocked.Increment(ref next);
                try
                {
                    await publisher.PublishAsync(data, channel: "midway");
                    returned.Add(data);
                }
                catch (SseBrokerException)
                {
                    threw.Add(data);
                    return;
                }
            }
        }

        var publishing = Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(PublishUntilItFailsAsync)));
        await Eventually.HoldsAsync(() => Task.FromResult(returned.Count >= 100), "publishes are under way");
        await redis.KillAsync();
        await publishing.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(threw, Has.Count.EqualTo(8), "every publisher was told, by an exception, that Redis went away");

        await redis.StartAgainAsync();
        await WaitForHealthAsync(site, HealthStatus.Healthy, "Redis is back");
        await publisher.PublishAsync("the end", channel: "midway");

        // From the start of the history (0-0): what Redis acknowledged survived the kill (fsync always).
        await using var reader = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=midway", h => h.Add("Last-Event-ID", "0-0"));
        var replayed = new List<string>();
        string data;
        while ((data = DataOf(await reader.ReadEventAsync())) != "the end")
        {
            replayed.Add(data);
        }

        TestContext.Progress.WriteLine($"killed mid-publish: {returned.Count} publishes returned, {threw.Count} threw, {replayed.Count} replayed after the restart");
        Assert.That(replayed, Is.SupersetOf(returned), "every publish that returned reached Redis and is replayed");
        Assert.That(replayed.Except(returned), Is.SubsetOf(threw), "anything else replayed is a publish that threw (its answer was lost, not its event)");
        Assert.That(replayed, Is.Unique);
    }

    [Test]
    public async Task RedisRestart_WithoutPersistence_AClientReconnectingWithLastEventId_IsToldItMissedEvents()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RedisUrl] = redis.Url, [TestSettings.HistoryLength] = "100" });
        string seen;
        await using (var stream = await OpenAsync(site, "forgotten"))
        {
            await site.Publisher.PublishAsync("one", channel: "forgotten");
            seen = IdOf(await stream.ReadEventAsync());
        }

        await site.Publisher.PublishAsync("two", channel: "forgotten");
        await redis.KillAsync();
        await WaitForHealthAsync(site, HealthStatus.Unhealthy, "Redis is down");
        await redis.StartAgainAsync();
        await WaitForHealthAsync(site, HealthStatus.Healthy, "Redis is back");

        await using var again = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=forgotten", h => h.Add("Last-Event-ID", seen));
        var notice = await again.ReadEventAsync();
        Assert.That(notice, Does.StartWith("event:sse-missed\n"), "the history went with Redis's memory: the client is told, not silently served a gap");
        Assert.That(DataOf(notice), Is.EqualTo("{\"channels\":[\"forgotten\"]}"));
    }

    private static async Task<SseTestStream> OpenAsync(TestSite<TestHost.Program> site, string channel)
    {
        var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=" + channel);
        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo(":\n"), "the opening comment");
        return stream;
    }

    [Test]
    public async Task LostSubscriptionConnection_OpenStreamsAreToldTheyMayHaveMissedEvents_AndReplayFillsTheGap()
    {
        // Only the subscription connection drops (a network cut of one connection): publishes still
        // reach Redis meanwhile, but no open stream here can get them live.
        await using var redis = await OwnRedisServer.StartAsync();
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RedisUrl] = redis.Url, [TestSettings.HistoryLength] = "100" });
        var publisher = site.Publisher;
        await using var stream = await OpenAsync(site, "gap");
        await publisher.PublishAsync("one", channel: "gap");
        var one = await stream.ReadEventAsync();
        Assert.That(DataOf(one), Is.EqualTo("one"));

        await redis.Client.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        await publisher.PublishAsync("two", channel: "gap");
        await Eventually.HoldsAsync(async () => await redis.NumSubAsync("gap") == 1, "the subscription came back by itself", ReconnectTimeout);
        await publisher.PublishAsync("three", channel: "gap");

        // Whether "two" came before the cut was noticed or not, the stream gets the notice, and "three".
        var seen = new List<string>();
        while (!seen.Contains(MissedNotice("gap")) || !seen.Any(e => DataOf(e) == "three"))
        {
            seen.Add(await stream.ReadEventAsync());
        }

        Assert.That(seen.Count(e => e == MissedNotice("gap")), Is.EqualTo(1), "the open stream is told once, not left with a silent gap");
        Assert.That(seen.Where(e => e != MissedNotice("gap")).Select(DataOf), Is.SubsetOf(new[] { "two", "three" }).And.Unique);

        // The client that reconnects with its Last-Event-ID gets exactly what it may have missed.
        await using var again = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=gap", h => h.Add("Last-Event-ID", IdOf(one)));
        Assert.That(DataOf(await again.ReadEventAsync()), Is.EqualTo("two"));
        Assert.That(DataOf(await again.ReadEventAsync()), Is.EqualTo("three"));
    }

    /// <summary>The notice an open stream gets when its server's subscription connection to Redis came back.</summary>
    internal static string MissedNotice(string channel) => $"event:sse-missed\ndata:{{\"channels\":[\"{channel}\"]}}\n\n";

    private static async Task WaitForHealthAsync(TestSite<TestHost.Program> site, HealthStatus status, string what)
    {
        var health = site.Services.GetRequiredService<HealthCheckService>();
        await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync(r => r.Name == "sse")).Status == status, what, ReconnectTimeout);
    }

    /// <summary>Reads blocks until a heartbeat arrives once <paramref name="after"/> of the outage has passed; anything else fails.</summary>
    private static async Task ReadHeartbeatAfterAsync(SseTestStream stream, Stopwatch outage, TimeSpan after)
    {
        while (true)
        {
            var block = await stream.ReadBlockAsync(TimeSpan.FromSeconds(5));
            Assert.That(block, Is.EqualTo(":heartbeat\n"), "only heartbeats while Redis is down");
            if (outage.Elapsed > after)
            {
                return;
            }
        }
    }

    internal static string IdOf(string block) => block.Split('\n').Single(line => line.StartsWith("id:", StringComparison.Ordinal))[3..];

    internal static string DataOf(string block) => string.Join('\n', block.Split('\n').Where(line => line.StartsWith("data:", StringComparison.Ordinal)).Select(line => line[5..]));
}
