using System.Diagnostics;
using System.Net;
using SseArea.Tests.Infrastructure;
using StackExchange.Redis;

namespace SseArea.Tests.Integration;

/// <summary>
/// Connection churn: 20 000 clients connect and leave (a bounded number at a time, each over its own
/// TCP connection to Kestrel on loopback), and the server is left as it was: no listener, no Redis
/// subscription, no subscriber count, and its managed heap back near where it started.
/// </summary>
[TestFixture(BrokerKind.InMemory, false)]
[TestFixture(BrokerKind.Redis, false)]
[TestFixture(BrokerKind.Redis, true)]
[CancelAfter(120_000)]
public sealed class ChurnTests(BrokerKind broker, bool sharded)
{
    private const int Cycles = 20_000;
    private const int Concurrency = 32;
    private const int Channels = 16;

    /// <summary>
    /// How far the managed heap may end above where it started, after a full blocking compacting GC on
    /// both sides. A leak of 512 bytes per cycle (less than one connection's objects: the request, the
    /// bounded queue, the listener entry) would be 10 MB over 20 000 cycles. What is left measured
    /// +0.2 to +3.1 MiB after 20 000 cycles and +1.3 to +1.4 MiB after 60 000 on both brokers: a fixed
    /// amount (pools, caches), not one that grows with the cycles.
    /// </summary>
    private const long HeapGrowthBound = 8 * 1024 * 1024;

    [Test]
    public async Task TwentyThousandConnectDisconnectCycles_LeaveNoListenerNoSubscription_AndTheHeapSettles()
    {
        await using var redis = broker == BrokerKind.Redis ? await OwnRedisServer.StartAsync() : null;
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.RedisUrl] = redis?.Url,
            [TestSettings.RedisShardedPubSub] = sharded ? "true" : "false",
        });
        // A client that leaves closes its connection at once: no drain of the endless response to
        // reuse it (2 s by default), which would hold thousands of sockets open at this pace.
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false, MaxResponseDrainSize = 0 }) { BaseAddress = site.Address };

        // Warm-up: JIT, Kestrel's and the client's pools at this concurrency, the broker's connection.
        await RunCyclesAsync(http, 1_000);
        await AssertNothingIsLeftAsync(site, redis);
        var before = SettledHeap();
        var clock = Stopwatch.StartNew();

        await RunCyclesAsync(http, Cycles);

        var elapsed = clock.Elapsed;
        await AssertNothingIsLeftAsync(site, redis);
        var after = SettledHeap();
        TestContext.Progress.WriteLine(
            $"churn on {broker}{(sharded ? " (sharded pub/sub)" : "")}: {Cycles} cycles, {Concurrency} at a time, in {elapsed.TotalSeconds:F1} s ({Cycles / elapsed.TotalSeconds:F0}/s); " +
            $"managed heap after a full GC {before / 1024} KiB before, {after / 1024} KiB after ({(after - before) / 1024:+#;-#;0} KiB); " +
            $"working set {Process.GetCurrentProcess().WorkingSet64 / (1024 * 1024)} MiB");
        Assert.That(site.Metrics.Sum("sse.connections.opened"), Is.EqualTo(Cycles + 1_000), "every cycle opened a stream");
        Assert.That(after - before, Is.LessThan(HeapGrowthBound), "the managed heap settled back near its start");
    }

    private static async Task RunCyclesAsync(HttpClient http, int cycles)
    {
        var next = -1;
        async Task WorkAsync()
        {
            var buffer = new byte[64];
            int i;
            while ((i = Interlocked.Increment(ref next)) < cycles)
            {
                // Every fourth client follows two channels.
                var url = i % 4 == 0
                    ? $"/sse/stream?channel=churn.{i % Channels}&channel=churn.{(i + 1) % Channels}"
                    : $"/sse/stream?channel=churn.{i % Channels}";
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"cycle {i}: GET {url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(deadline.Token)}");
                }

                // The opening comment: the stream is open (the listener is in place); then the client leaves.
                await using var body = await response.Content.ReadAsStreamAsync(deadline.Token);
                if (await body.ReadAsync(buffer, deadline.Token) == 0)
                {
                    throw new InvalidOperationException($"cycle {i}: the stream ended at once.");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(_ => Task.Run(WorkAsync)));
    }

    private static async Task AssertNothingIsLeftAsync(TestSite<TestHost.Program> site, OwnRedisServer? redis)
    {
        await Eventually.HoldsAsync(() => Task.FromResult(site.Metrics.Sum("sse.connections.current") == 0), "every stream has ended on the server", TimeSpan.FromSeconds(30));
        for (var channel = 0; channel < Channels; channel++)
        {
            // In memory: the local listeners. On Redis: the local listeners plus other servers' (none);
            // an ended stream's listener leaves once its turn at the broker's subscription lock comes.
            var name = $"churn.{channel}";
            await Eventually.HoldsAsync(async () => await site.Stats.CountSubscribersAsync(name) == 0, $"no listener is left on {name}");
        }

        if (redis is not null)
        {
            await Eventually.AcceptedAsync(() => redis.SubscribedChannelsAsync("churn.*"), channels => channels.Length == 0, "no Redis subscription is left (PUBSUB CHANNELS churn.*)");
            await Eventually.AcceptedAsync(
                async () => (string[])(await redis.Client.GetDatabase().ExecuteAsync("PUBSUB", "SHARDCHANNELS", "churn.*"))!,
                channels => channels.Length == 0,
                "no sharded subscription is left (PUBSUB SHARDCHANNELS churn.*)");
            for (var channel = 0; channel < Channels; channel++)
            {
                Assert.That(await redis.NumSubAsync($"churn.{channel}"), Is.Zero, $"PUBSUB NUMSUB churn.{channel}");
                var shardNumSub = (RedisResult[])(await redis.Client.GetDatabase().ExecuteAsync("PUBSUB", "SHARDNUMSUB", $"churn.{channel}"))!;
                Assert.That((long)shardNumSub[1], Is.Zero, $"PUBSUB SHARDNUMSUB churn.{channel}");
            }
            await Eventually.HoldsAsync(
                async () => (long)await redis.Client.GetDatabase().ExecuteAsync("EVAL", "return #redis.call('KEYS', 'sse:*subscribers*')", 0) == 0,
                "no subscriber count is left in Redis");
        }
    }

    private static long SettledHeap()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
