using System.Diagnostics;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// Streams that end the unusual ways still leave nothing behind: a result that never runs, an exception after the
/// stream started, and a client that stopped reading when the application stops.
/// </summary>
[CancelAfter(90_000)]
public sealed class StreamEndingTests
{
    [Test]
    public async Task AStreamWhoseResultNeverRuns_LeavesNoListenerBehind()
    {
        var filter = new CancelsTheResult();
        await using var site = await TestSite.StartAsync(services => services.AddSingleton(filter).AddSse().AddAreaFilter<CancelsTheResult>());

        using var deadline = new CancellationTokenSource(SseTestStream.DefaultTimeout);
        using var response = await site.Http.GetAsync("/sse/stream?channel=cancelled", HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        await Eventually.HoldsAsync(async () => await site.Stats.CountSubscribersAsync("cancelled") == 0, "the subscription of a stream that never started ended with its request");

        Assert.That(await filter.Subscribers.Task.WaitAsync(deadline.Token), Is.EqualTo(1), "it was subscribed when its result was cancelled");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.Not.EqualTo("text/event-stream"), "no stream was written");
    }

    [Test]
    public async Task AnExceptionAfterTheStreamStarted_EndsItAndItsSubscription()
    {
        var filter = new ThrowsAfterTheResult();
        await using var site = await TestSite.StartAsync(services => services.AddSingleton(filter).AddSse().AddAreaFilter<ThrowsAfterTheResult>());

        await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=thrown");
        await Eventually.HoldsAsync(async () => await site.Stats.CountSubscribersAsync("thrown") == 0, "the started stream's subscription ended with the failed request");

        Assert.That(await filter.Subscribers.Task.WaitAsync(SseTestStream.DefaultTimeout), Is.EqualTo(1), "it was subscribed when the filter threw");
        Assert.ThrowsAsync<HttpIOException>(async () => await stream.ReadToEndAsync(SseTestStream.DefaultTimeout), "the client sees its stream cut off");
    }

    [Test]
    public async Task ApplicationStopping_DoesNotWaitForAClientThatStoppedReading()
    {
        // Real sockets: the slow client's socket buffers fill, then its pump waits on a flush that never completes.
        var site = await TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.MaxQueuedEventsPerConnection] = "4096",
            [TestSettings.MaxBufferedBytesPerConnection] = "134217728", // far behind, and still not cut off for it
        });
        await using var slow = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=stuck"); // never read
        await using var fast = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=stuck");
        var payload = new string('x', 64 * 1024);
        for (var i = 0; i < 600; i++)
        {
            await site.Publisher.PublishAsync(payload, channel: "stuck");
            await fast.ReadEventAsync();
        }

        var clock = Stopwatch.StartNew();
        site.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        await site.DisposeAsync();

        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the host stopped without waiting out its 30 s shutdown timeout for the unread bytes");
        Assert.That(site.Metrics.Sum("sse.clients.dropped"), Is.Zero, "the slow client was stopped, not cut off for falling behind");
    }

    [Test]
    public async Task SigTerm_WithThirtyStuckAndTwoThousandIdleStreams_ExitsWithinTwoSeconds()
    {
        // The test host as its own process: a real SIGTERM, a real exit.
        var site = await TestSiteProcess.StartAsync();
        var sockets = new List<System.Net.Sockets.Socket>();
        try
        {
            for (var i = 0; i < 2030; i++)
            {
                sockets.Add(await OpenRawStreamAsync(site.Address, i < 30 ? "stuck" : "idle"));
            }

            await Eventually.HoldsAsync(async () => await site.PublishAsync("ready?", channel: "idle") == 2000, "the 2 000 idle streams subscribed");
            var payload = new string('x', 64 * 1024);
            for (var i = 0; i < 40; i++)
            {
                await site.PublishAsync(payload, channel: "stuck"); // 2.5 MB to each client that never reads
            }

            var clock = Stopwatch.StartNew();
            await site.DisposeAsync(); // SIGTERM, then waits for the exit
            TestContext.Progress.WriteLine($"SIGTERM to exit with 30 stuck and 2 000 idle streams: {clock.ElapsedMilliseconds} ms");

            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)));
        }
        finally
        {
            await site.DisposeAsync();
            sockets.ForEach(socket => socket.Dispose());
        }
    }

    /// <summary>A stream on a raw socket with a small receive buffer, never read: its head is not even waited for.</summary>
    private static async Task<System.Net.Sockets.Socket> OpenRawStreamAsync(Uri site, string channel)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(site.Host, site.Port);
        await socket.SendAsync(System.Text.Encoding.ASCII.GetBytes($"GET /sse/stream?channel={channel} HTTP/1.1\r\nHost: {site.Authority}\r\nAccept: text/event-stream\r\n\r\n"));
        return socket;
    }

    /// <summary>Records the channel's subscribers, then stops the stream's result from running.</summary>
    private sealed class CancelsTheResult : IAsyncResultFilter
    {
        public TaskCompletionSource<long> Subscribers { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
        {
            Subscribers.TrySetResult(await context.HttpContext.RequestServices.GetRequiredService<ISseChannelStats>().CountSubscribersAsync("cancelled"));
            context.Cancel = true;
        }
    }

    /// <summary>Lets the stream start, records the channel's subscribers, then throws.</summary>
    private sealed class ThrowsAfterTheResult : IAsyncResultFilter
    {
        public TaskCompletionSource<long> Subscribers { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task OnResultExecutionAsync(ResultExecutingContext context, ResultExecutionDelegate next)
        {
            await next();
            Subscribers.TrySetResult(await context.HttpContext.RequestServices.GetRequiredService<ISseChannelStats>().CountSubscribersAsync("thrown"));
            throw new InvalidOperationException("a filter failed after the stream started");
        }
    }
}
