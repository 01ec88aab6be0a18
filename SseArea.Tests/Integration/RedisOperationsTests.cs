using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SseArea.Tests.Infrastructure;
using StackExchange.Redis;

namespace SseArea.Tests.Integration;

/// <summary>What only the Redis broker must prove in operation: counts across servers, health, connections.</summary>
[CancelAfter(60_000)]
public sealed class RedisOperationsTests
{
    private RedisTestServer _redis = null!;

    [OneTimeSetUp]
    public async Task FindRedisAsync() => _redis = await RedisTestServer.GetAsync();

    [Test]
    public async Task ChannelStats_AddUpAcrossServersOnOneRedis_WithTwoRedisConnectionsPerServer()
    {
        var name = "stats-" + Guid.NewGuid().ToString("N")[..8];
        var settings = new Dictionary<string, string?> { [TestSettings.RedisUrl] = $"127.0.0.1:{new Uri(_redis.Url).Port},name={name}" };
        await using var first = await TestSite.StartAsync(BrokerKind.InMemory, settings);
        await using var second = await TestSite.StartAsync(BrokerKind.InMemory, settings);
        var firstHttp = first.Http;
        var secondHttp = second.Http;
        var channel = "everywhere." + Guid.NewGuid().ToString("N");
        var streams = new List<SseTestStream>();
        try
        {
            for (var i = 0; i < 2; i++)
            {
                streams.Add(await SseTestStream.OpenAsync(firstHttp, "/sse/stream?channel=" + channel));
            }

            for (var i = 0; i < 3; i++)
            {
                streams.Add(await SseTestStream.OpenAsync(secondHttp, "/sse/stream?channel=" + channel));
            }

            var firstStats = first.Stats;
            var secondStats = second.Stats;
            await Eventually.HoldsAsync(async () => await firstStats.CountSubscribersAsync(channel) == 5, "the first server counts both servers' streams");
            await Eventually.HoldsAsync(async () => await secondStats.CountSubscribersAsync(channel) == 5, "the second server counts both servers' streams");

            var clients = (string)(await _redis.Client.GetDatabase().ExecuteAsync("CLIENT", "LIST"))!;
            var connections = clients.Split('\n').Count(line => line.Contains($" name={name} ", StringComparison.Ordinal));
            Assert.That(connections, Is.EqualTo(4), "two Redis connections per server (the multiplexer's own), whatever the number of streams");

            await streams[^1].DisposeAsync();
            streams.RemoveAt(streams.Count - 1);
            await Eventually.HoldsAsync(async () => await firstStats.CountSubscribersAsync(channel) == 4, "a stream that left is no longer counted elsewhere");
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
    public async Task ChannelStats_ForgetACrashedServer_OnceItsEntryExpires()
    {
        await using var site = await TestSite.StartAsync(BrokerKind.Redis);
        var stats = site.Stats;
        var channel = "crash." + Guid.NewGuid().ToString("N");
        await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=" + channel);

        // A server that reported 7 streams, then died: its entry expires 500 ms from now (Redis's clock).
        var db = _redis.Client.GetDatabase();
        var now = (RedisResult[])(await db.ExecuteAsync("TIME"))!;
        var nowMs = (long)now[0] * 1000 + (long)now[1] / 1000;
        await db.HashSetAsync(SseArea.Internal.Redis.RedisKeys.Subscribers(channel), "dead-server", $"7:{nowMs + 500}");

        Assert.That(await stats.CountSubscribersAsync(channel), Is.EqualTo(8), "its count holds while it is fresh");
        await Eventually.HoldsAsync(async () => await stats.CountSubscribersAsync(channel) == 1, "the dead server's entry expired");
        Assert.That(await db.HashExistsAsync(SseArea.Internal.Redis.RedisKeys.Subscribers(channel), "dead-server"), Is.False, "the expired entry was removed");
    }

    [Test]
    public async Task HealthCheck_Sse_IsUnhealthyWhileRedisIsUnreachable()
    {
        var port = RedisTestServer.FreeLoopbackPort();
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RedisUrl] = $"redis://:secret@127.0.0.1:{port}" });

        var report = await site.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Name == "sse");

        Assert.That(report.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(report.Entries["sse"].Description, Does.Contain($"127.0.0.1:{port}").And.Not.Contain("secret"));
    }

    [Test]
    public async Task LostRedisConnection_IsRestored_CountedAndStreamsGoOn()
    {
        var name = "reconnect-" + Guid.NewGuid().ToString("N")[..8];
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RedisUrl] = $"127.0.0.1:{new Uri(_redis.Url).Port},name={name}" });
        var metrics = site.Metrics;
        await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=reconnecting");

        // Redis drops both of the server's connections (as on a Redis restart or a network cut).
        var db = _redis.Client.GetDatabase();
        var clients = (string)(await db.ExecuteAsync("CLIENT", "LIST"))!;
        foreach (var line in clients.Split('\n').Where(l => l.Contains($" name={name} ", StringComparison.Ordinal)))
        {
            var id = line.Split(' ').Single(f => f.StartsWith("id=", StringComparison.Ordinal))[3..];
            await db.ExecuteAsync("CLIENT", "KILL", "ID", id);
        }

        await Eventually.HoldsAsync(() => Task.FromResult(metrics.Sum("sse.redis.reconnects") == 1), "the reconnect was counted once");
        await Eventually.HoldsAsync(async () => await _redis.NumSubAsync("reconnecting") == 1, "the subscription was renewed");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo(RedisRestartTests.MissedNotice("reconnecting")), "the open stream is told it may have missed events");
        await _redis.PublishRawAsync("reconnecting", "{\"data\": \"after the cut\"}");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:after the cut\n\n"));
    }

    [Test]
    public async Task WithHistory_PublishesFlaskSseJsonWithTheStreamId_AndPlainPublishesStillArrive()
    {
        await using var site = await TestSite.StartAsync(BrokerKind.Redis, new() { [TestSettings.HistoryLength] = "10" });
        var http = site.Http;
        var publisher = site.Publisher;
        var redis = _redis;
        var channel = "flask." + Guid.NewGuid().ToString("N");
        var payloads = await redis.Client.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
        try
        {
            await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=" + channel);
            await publisher.PublishAsync("from .NET", channel: channel);
            var streamId = (await stream.ReadEventAsync()).Split('\n').Single(l => l.StartsWith("id:", StringComparison.Ordinal))[3..];
            using var deadline = new CancellationTokenSource(SseTestStream.DefaultTimeout);
            var payload = (await payloads.ReadAsync(deadline.Token)).Message.ToString();
            Assert.That(payload, Is.EqualTo($"{{\"data\":\"from .NET\",\"id\":\"{streamId}\"}}"));
            Assert.That(streamId, Does.Match(@"^\d+-\d+$"), "the id the Redis stream assigned");

            // A Flask-SSE publisher's plain PUBLISH: delivered live, not kept in the history.
            await redis.PublishRawAsync(channel, "{\"data\": \"from python\"}");
            Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:from python\n\n"));
        }
        finally
        {
            await payloads.UnsubscribeAsync();
        }
    }
}
