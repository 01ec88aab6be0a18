using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// A started stream runs outside MVC and the application's middleware: they return (and release
/// their per-request state) while the stream goes on delivering.
/// </summary>
[CancelAfter(60_000)]
public sealed class StreamRunnerTests
{
    [Test]
    public async Task AppMiddleware_ReturnsOnceTheStreamStarted_AndTheStreamStillDeliversAfterwards()
    {
        var returned = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await TestSite.StartAsync(services: services =>
            services.AddSingleton<IStartupFilter>(new RecordWhenTheStreamReturns(returned)));
        var http = site.Http;

        await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=runner");
        var status = await returned.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await site.Services.GetRequiredService<ISsePublisher>().PublishAsync("after the pipeline returned", channel: "runner");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(status, Is.EqualTo(StatusCodes.Status200OK));
            Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:after the pipeline returned\n\n"));
        }
    }

    [Test]
    public async Task RequestScopedServices_AreDisposedWhenTheStreamStarts_NotWhenItEnds()
    {
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await TestSite.StartAsync(services: services =>
        {
            services.AddScoped(_ => new ScopedResource(disposed));
            services.AddSse().AddAreaFilter((request, http) =>
            {
                // An area filter that uses a scoped service, as one reading a database would.
                http.RequestServices.GetRequiredService<ScopedResource>();
                return ValueTask.FromResult(true);
            });
        });
        var http = site.Http;

        await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=scoped");
        await disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await site.Services.GetRequiredService<ISsePublisher>().PublishAsync("still streaming", channel: "scoped");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:still streaming\n\n"), "the stream goes on after its request scope was released");
    }

    [Test]
    public async Task AMiddlewareThatDisposesItsBodyWrapper_EndsThatStreamWithAWarning_NotAnUnhandledError()
    {
        await using var site = await TestSite.StartAsync(services: services =>
        {
            services.AddFakeLogging();
            services.AddSingleton<IStartupFilter>(new WrapTheBodyAndForgetIt());
        });
        var http = site.Http;

        await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=wrapped");
        await site.Services.GetRequiredService<ISsePublisher>().PublishAsync("lost", channel: "wrapped");

        var logs = site.Services.GetFakeLogCollector();
        await Eventually.HoldsAsync(
            () => Task.FromResult(logs.GetSnapshot().Any(r => r.Id.Name == "SseStreamFailed")),
            "the stream ended with the SseStreamFailed warning");
        Assert.That(logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).Select(r => r.Message), Is.Empty, "no unhandled request error");
        await Eventually.HoldsAsync(
            () => Task.FromResult(site.Services.GetRequiredService<ISseChannelStats>().CountSubscribersAsync("wrapped").Result == 0),
            "the failed stream's listener is gone");
    }

    /// <summary>Wraps the stream's Response.Body and disposes the wrapper on return without putting the original back.</summary>
    private sealed class WrapTheBodyAndForgetIt : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                await using var wrapper = new ClosingWrapper(context.Response.Body);
                context.Response.Body = wrapper;
                await inner(context);
            });
            next(app);
        };
    }

    private sealed class ClosingWrapper(Stream inner) : Stream
    {
        private bool _disposed;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => !_disposed;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => Writable().Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => Writable().FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Writable().Write(buffer, offset, count);

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => Writable().WriteAsync(buffer, cancellationToken);

        protected override void Dispose(bool disposing)
        {
            _disposed = true;
            base.Dispose(disposing);
        }

        private Stream Writable() => _disposed ? throw new ObjectDisposedException(nameof(ClosingWrapper)) : inner;
    }

    private sealed class ScopedResource(TaskCompletionSource disposed) : IDisposable
    {
        public void Dispose() => disposed.TrySetResult();
    }

    private sealed class RecordWhenTheStreamReturns(TaskCompletionSource<int> returned) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, inner) =>
            {
                await inner(context);
                if (context.Request.Path.StartsWithSegments("/sse/stream"))
                {
                    returned.TrySetResult(context.Response.StatusCode);
                }
            });
            next(app);
        };
    }
}
