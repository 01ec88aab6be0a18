using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
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
        await using var site = await SampleSiteFactory.CreateAsync(BrokerKind.InMemory, services: services =>
            services.AddSingleton<IStartupFilter>(new RecordWhenTheStreamReturns(returned)));
        using var http = site.CreateClient();

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
        await using var site = await SampleSiteFactory.CreateAsync(BrokerKind.InMemory, services: services =>
        {
            services.AddScoped(_ => new ScopedResource(disposed));
            services.AddSse().AddAreaFilter((request, http) =>
            {
                // An area filter that uses a scoped service, as one reading a database would.
                http.RequestServices.GetRequiredService<ScopedResource>();
                return ValueTask.FromResult(true);
            });
        });
        using var http = site.CreateClient();

        await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=scoped");
        await disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await site.Services.GetRequiredService<ISsePublisher>().PublishAsync("still streaming", channel: "scoped");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:still streaming\n\n"), "the stream goes on after its request scope was released");
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
