using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>Running streams in production: heartbeats, slow clients, shutdown, metrics, health, counts; on each broker.</summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class StreamingOperationsTests(BrokerKind broker)
{
    [Test]
    public async Task SilentStream_GetsAHeartbeatComment_AfterTheInterval()
    {
        var time = new FakeTimeProvider();
        await using var site = await TestSite.StartAsync(new TestSiteOptions
        {
            Broker = broker,
            Settings = { [TestSettings.HeartbeatInterval] = "00:00:15" },
            Services = s => s.AddSingleton<TimeProvider>(time),
        });
        await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=quiet");
        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo(":\n"), "the opening comment, at once");
        var start = time.GetUtcNow();

        // The stream arms its timer asynchronously: step the fake clock until the heartbeat comes.
        var heartbeat = stream.ReadBlockAsync();
        while (!heartbeat.IsCompleted)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(heartbeat, Task.Delay(10));
        }

        Assert.That(await heartbeat, Is.EqualTo(":heartbeat\n"));
        Assert.That(time.GetUtcNow() - start, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(15)));
    }

    [Test]
    public async Task SlowClient_IsDropped_WhileOtherClientsReceiveEverything()
    {
        // Real sockets (Kestrel on loopback): a client that stops reading fills the TCP buffers, then
        // the server's bounded queue, and only then is it cut off.
        await using var site = await TestSite.StartAsync(broker, new() { [TestSettings.MaxQueuedEventsPerConnection] = "8" });
        var metrics = site.Metrics;
        var http = site.Http;
        var publisher = site.Publisher;
        var stats = site.Stats;
        await using var slow = await SseTestStream.OpenAsync(http, "/sse/stream?channel=crowded"); // never read
        await using var fast = await SseTestStream.OpenAsync(http, "/sse/stream?channel=crowded");

        // 32 MB in all, more than any socket buffer holds; the fast client reads each event as it comes.
        const int Count = 500;
        var payload = new string('x', 64 * 1024);
        for (var i = 0; i < Count; i++)
        {
            await publisher.PublishAsync(payload, channel: "crowded");
            await fast.ReadEventAsync();
        }

        await Eventually.HoldsAsync(async () => await stats.CountSubscribersAsync("crowded") == 1, "the slow client's stream was closed");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(metrics.Sum("sse.clients.dropped"), Is.EqualTo(1));
            Assert.That(metrics.Sum("sse.events.dropped"), Is.GreaterThan(0));
            Assert.That(metrics.Sum("sse.events.delivered"), Is.LessThan(2 * Count), "the slow client took only what its bounded queue and the socket held");
        }
    }

    [Test]
    public async Task SlowClient_IsDropped_WhenItsBytesExceedTheBudget_LongBeforeTheEventCount()
    {
        // 500 events of 64 KB: far under the 1 024 events a client may fall behind, far over its 256 KiB byte budget
        // (plus the few MB the kernel's socket buffers take first).
        await using var site = await TestSite.StartAsync(broker, new() { [TestSettings.MaxBufferedBytesPerConnection] = "262144", [TestSettings.MaxEventBytes] = "131072" });
        await using var slow = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=heavy"); // never read
        await using var fast = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=heavy");

        var payload = new string('x', 64 * 1024);
        for (var i = 0; i < 500; i++)
        {
            await site.Publisher.PublishAsync(payload, channel: "heavy");
            await fast.ReadEventAsync();
        }

        await Eventually.HoldsAsync(async () => await site.Stats.CountSubscribersAsync("heavy") == 1, "the slow client's stream was closed");
        Assert.That(site.Metrics.Sum("sse.clients.dropped"), Is.EqualTo(1));
    }

    [Test]
    public async Task ApplicationStopping_EndsEveryStreamWithinASecond_AndPublishesInFlightComplete()
    {
        var site = await TestSite.StartAsync(broker);
        try
        {
            var http = site.Http;
            var publisher = site.Publisher;
            var streams = new List<SseTestStream>();
            for (var i = 0; i < 5; i++)
            {
                streams.Add(await SseTestStream.OpenAsync(http, "/sse/stream?channel=stopping"));
            }

            var publishing = publisher.PublishAsync("last words", channel: "stopping");
            var clock = Stopwatch.StartNew();
            site.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
            var ends = streams.Select(s => s.ReadToEndAsync(TimeSpan.FromSeconds(5))).ToList();
            await Task.WhenAll(ends);
            clock.Stop();

            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(1)), "every stream ended within a second");
            Assert.That(await publishing, Is.GreaterThanOrEqualTo(0), "the publish in flight completed");
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
        finally
        {
            await site.DisposeAsync();
        }
    }

    [Test]
    public async Task Meter_CountsConnectionsAndEvents()
    {
        await using var site = await TestSite.StartAsync(broker);
        var metrics = site.Metrics;
        var http = site.Http;
        var publisher = site.Publisher;

        await using (var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=counted"))
        {
            await publisher.PublishAsync("one", channel: "counted");
            await stream.ReadEventAsync();
            Assert.That(metrics.Sum("sse.connections.current"), Is.EqualTo(1));
        }

        await Eventually.HoldsAsync(() => Task.FromResult(metrics.Sum("sse.connections.closed") == 1), "the stream's close was counted");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(metrics.Sum("sse.connections.current"), Is.Zero);
            Assert.That(metrics.Sum("sse.connections.opened"), Is.EqualTo(1));
            Assert.That(metrics.Sum("sse.events.published"), Is.EqualTo(1));
            Assert.That(metrics.Sum("sse.events.delivered"), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Meter_CountsReplayedEvents()
    {
        await using var site = await TestSite.StartAsync(broker, new() { [TestSettings.HistoryLength] = "10" });
        var metrics = site.Metrics;
        var http = site.Http;
        var publisher = site.Publisher;
        var channel = "replayed." + Guid.NewGuid().ToString("N");
        string seen;
        await using (var first = await SseTestStream.OpenAsync(http, "/sse/stream?channel=" + channel))
        {
            await publisher.PublishAsync("one", channel: channel);
            seen = (await first.ReadEventAsync()).Split('\n').Single(l => l.StartsWith("id:", StringComparison.Ordinal))[3..];
        }

        await publisher.PublishAsync("two", channel: channel);
        await publisher.PublishAsync("three", channel: channel);
        await using var second = await SseTestStream.OpenAsync(http, $"/sse/stream?channel={channel}&lastEventId={Uri.EscapeDataString(seen)}");

        Assert.That(metrics.Sum("sse.events.replayed"), Is.EqualTo(2));
    }

    [Test]
    public async Task ReplayLongerThanTheQueue_IsSkippedForTheMissedNotice_AtTheNewestPosition()
    {
        await using var site = await TestSite.StartAsync(broker, new() { [TestSettings.HistoryLength] = "50", [TestSettings.MaxQueuedEventsPerConnection] = "5" });
        var http = site.Http;
        var publisher = site.Publisher;
        var channel = "long-replay." + Guid.NewGuid().ToString("N");
        await publisher.PublishAsync("seen", id: "e0", channel: channel);
        for (var i = 1; i <= 6; i++)
        {
            await publisher.PublishAsync("missed", id: "e" + i, channel: channel);
        }

        await using var stream = await SseTestStream.OpenAsync(http, $"/sse/stream?channel={channel}&lastEventId=e0");
        await publisher.PublishAsync("live", id: "e7", channel: channel);

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo($"event:sse-missed\ndata:{{\"channels\":[\"{channel}\"]}}\nid:e6\n\n"));
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:live\nid:e7\n\n"));
    }

    [Test]
    public async Task ReplayWithinTheQueue_IsWritten()
    {
        await using var site = await TestSite.StartAsync(broker, new() { [TestSettings.HistoryLength] = "50", [TestSettings.MaxQueuedEventsPerConnection] = "5" });
        var http = site.Http;
        var publisher = site.Publisher;
        var channel = "short-replay." + Guid.NewGuid().ToString("N");
        await publisher.PublishAsync("seen", id: "e0", channel: channel);
        for (var i = 1; i <= 5; i++)
        {
            await publisher.PublishAsync("missed", id: "e" + i, channel: channel);
        }

        await using var stream = await SseTestStream.OpenAsync(http, $"/sse/stream?channel={channel}&lastEventId=e0");

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:missed\nid:e1\n\n"));
    }

    [Test]
    public async Task HealthCheck_Sse_IsRegisteredAndHealthyWhileTheBrokerWorks()
    {
        await using var site = await TestSite.StartAsync(broker);
        var health = site.Services.GetRequiredService<HealthCheckService>();

        var report = await Eventually.AcceptedAsync(
            () => health.CheckHealthAsync(r => r.Name == "sse"),
            r => r.Status == HealthStatus.Healthy,
            "the sse health check is healthy");

        Assert.That(report.Entries.Keys, Is.EqualTo(new[] { "sse" }));
        Assert.That(report.Entries["sse"].Description, Does.Contain(broker == BrokerKind.Redis ? "Redis" : "in-memory"));
    }

    [Test]
    public async Task HealthEndpoint_AnswersHealthy()
    {
        await using var site = await TestSite.StartAsync(broker);

        // Redis connects in the background after startup: ask until it has (503 "Unhealthy" meanwhile).
        var answer = await Eventually.AcceptedAsync(
            async () =>
            {
                using var response = await site.Http.GetAsync("/healthz");
                return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
            },
            answer => answer == (200, "Healthy"),
            "/healthz answers 200 Healthy");

        Assert.That(answer, Is.EqualTo((200, "Healthy")));
    }

    [Test]
    public async Task ChannelStats_CountTheStreamsOfAChannel()
    {
        await using var site = await TestSite.StartAsync(broker);
        var http = site.Http;
        var stats = site.Stats;
        var channel = "counted." + Guid.NewGuid().ToString("N");

        await using var a = await SseTestStream.OpenAsync(http, "/sse/stream?channel=" + channel);
        await using var b = await SseTestStream.OpenAsync(http, $"/sse/stream?channel={channel}&channel=other");

        Assert.That(await stats.CountSubscribersAsync(channel), Is.EqualTo(2));
    }
}
