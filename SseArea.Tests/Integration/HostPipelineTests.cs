using System.Diagnostics;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// A stream runs inside the application's pipeline from its first byte to its last: every middleware that
/// wraps it sees it start and end, the request scope is the framework's, compression is kept off by what the
/// response says, and nothing of the application is replaced.
/// </summary>
[CancelAfter(60_000)]
public sealed class HostPipelineTests
{
    [Test]
    public async Task PerAddressConcurrencyLimiter_InFrontOfTheStream_HoldsItsPermitUntilTheStreamEnds()
    {
        await using var site = await TestSite.StartAsync(services =>
        {
            services.AddRateLimiter(options =>
            {
                options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetConcurrencyLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "no address",
                    _ => new ConcurrencyLimiterOptions { PermitLimit = 2, QueueLimit = 0 }));
            });
            services.AddSingleton<IStartupFilter>(new InFront(app => app.UseRateLimiter()));
        });
        var http = site.Http;

        await using var first = await SseTestStream.OpenAsync(http, "/sse/stream?channel=limited");
        var second = await SseTestStream.OpenAsync(http, "/sse/stream?channel=limited");
        using var third = await GetHeadersAsync(http, "/sse/stream?channel=limited");
        await second.DisposeAsync();
        await Eventually.HoldsAsync(
            async () =>
            {
                using var again = await GetHeadersAsync(http, "/sse/stream?channel=limited");
                return again.StatusCode == HttpStatusCode.OK;
            },
            "a stream opens again once one of the two ended");

        Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "two streams hold the address's two permits");
    }

    [Test]
    public async Task PerUserConcurrencyLimiter_BoundsEachUsersStreams_NotOtherUsers()
    {
        await using var site = await TestSite.StartAsync(services =>
        {
            services.AddRateLimiter(options =>
            {
                options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => RateLimitPartition.GetConcurrencyLimiter(
                    context.Request.Headers["X-Test-User"].FirstOrDefault() ?? context.Connection.RemoteIpAddress?.ToString() ?? "no address",
                    _ => new ConcurrencyLimiterOptions { PermitLimit = 1, QueueLimit = 0 }));
            });
            services.AddSingleton<IStartupFilter>(new InFront(app => app.UseRateLimiter()));
        });

        await using var alice = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=per-user", h => h.Add("X-Test-User", "alice"));
        using var aliceAgain = await GetHeadersAsync(site.Http, "/sse/stream?channel=per-user", "alice");
        using var bob = await GetHeadersAsync(site.Http, "/sse/stream?channel=per-user", "bob");

        Assert.That(aliceAgain.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "alice's one permit is held by her open stream");
        Assert.That(bob.StatusCode, Is.EqualTo(HttpStatusCode.OK), "bob has his own");
    }

    [Test]
    public async Task MaxStreams_CapsTheProcess_WithA503ThatSaysWhy_AndFreesASlotWhenAStreamEnds()
    {
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { ["Sse:MaxStreams"] = "2" });
        await using var first = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=capped");
        var second = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=capped");

        using var third = await site.Http.GetAsync("/sse/stream?channel=capped");
        var problem = await third.Content.ReadAsStringAsync();
        await second.DisposeAsync();
        await Eventually.HoldsAsync(
            async () =>
            {
                using var again = await GetHeadersAsync(site.Http, "/sse/stream?channel=capped");
                return again.StatusCode == HttpStatusCode.OK;
            },
            "a slot frees once a stream ended");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(third.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(third.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(problem, Does.Contain("Sse:MaxStreams = 2"));
        }
    }

    [Test]
    public async Task MiddlewareAroundTheStream_SeesItsRealDuration_AndOnCompletedRunsWhenItEnds()
    {
        var returned = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var completed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await TestSite.StartAsync(services =>
            services.AddSingleton<IStartupFilter>(new InFront(app => app.Use(async (context, next) =>
            {
                var timer = Stopwatch.StartNew();
                context.Response.OnCompleted(() =>
                {
                    completed.TrySetResult();
                    return Task.CompletedTask;
                });
                await next(context);
                if (context.Request.Path.StartsWithSegments("/sse"))
                {
                    returned.TrySetResult(timer.Elapsed);
                }
            }))));
        var http = site.Http;
        var held = Stopwatch.StartNew();

        var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=timed");
        await site.Services.GetRequiredService<ISsePublisher>().PublishAsync("while it lasts", channel: "timed");
        var received = await stream.ReadEventAsync();
        var returnedWhileOpen = returned.Task.IsCompleted;
        var completedWhileOpen = completed.Task.IsCompleted;
        await stream.DisposeAsync();
        var openFor = held.Elapsed;
        var duration = await returned.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await completed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(received, Is.EqualTo("data:while it lasts\n\n"));
            Assert.That(returnedWhileOpen, Is.False, "the middleware is still awaiting the stream after an event went out");
            Assert.That(completedWhileOpen, Is.False, "Response.OnCompleted waits for the stream's end");
            Assert.That(duration, Is.GreaterThanOrEqualTo(openFor - TimeSpan.FromMilliseconds(50)), "it timed the whole stream");
        }
    }

    [Test]
    public async Task RequestScope_LivesUntilTheStreamEnds_AndIsTheFrameworksToDispose()
    {
        var disposed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var usedAfterTheStream = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await TestSite.StartAsync(services =>
        {
            services.AddScoped(_ => new ScopedResource(disposed));
            services.AddSingleton<IStartupFilter>(new InFront(app => app.Use(async (context, next) =>
            {
                await next(context);
                if (context.Request.Path.StartsWithSegments("/sse"))
                {
                    // After the stream ended: the request's services still answer.
                    usedAfterTheStream.TrySetResult(context.RequestServices.GetRequiredService<ScopedResource>().Use());
                }
            })));
            services.AddSse().AddAreaFilter<UsesTheScopedResource>();
        });
        var http = site.Http;

        var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=scoped");
        await site.Services.GetRequiredService<ISsePublisher>().PublishAsync("still streaming", channel: "scoped");
        var received = await stream.ReadEventAsync();
        var disposedWhileStreaming = disposed.Task.IsCompleted;
        await stream.DisposeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(received, Is.EqualTo("data:still streaming\n\n"));
            Assert.That(disposedWhileStreaming, Is.False, "a filter's scoped dependency lives as long as its request");
            Assert.That(await usedAfterTheStream.Task.WaitAsync(TimeSpan.FromSeconds(10)), Is.True, "a scoped service resolved after the stream ended works");
        }

        await disposed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task ResponseCompression_IsKeptOffByTheResponsesContentEncoding_TheRequestIsNotTouched()
    {
        var seenAcceptEncoding = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await TestSite.StartAsync(services =>
        {
            services.AddResponseCompression(o =>
            {
                o.EnableForHttps = true;
                o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Append("text/event-stream");
            });
            services.AddSingleton<IStartupFilter>(new InFront(app =>
            {
                app.UseResponseCompression();
                app.Use(async (context, next) =>
                {
                    await next(context);
                    if (context.Request.Path.StartsWithSegments("/sse"))
                    {
                        seenAcceptEncoding.TrySetResult(context.Request.Headers.AcceptEncoding.ToString());
                    }
                });
            }));
        });
        var http = site.Http;

        var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=zip", h => h.AcceptEncoding.ParseAdd("gzip, br"));
        await site.Services.GetRequiredService<ISsePublisher>().PublishAsync("plain text", channel: "zip");
        var received = await stream.ReadEventAsync();
        var encoding = stream.Response.Content.Headers.ContentEncoding.ToList();
        await stream.DisposeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(encoding, Is.EqualTo(new[] { "identity" }));
            Assert.That(received, Is.EqualTo("data:plain text\n\n"));
            Assert.That(await seenAcceptEncoding.Task.WaitAsync(TimeSpan.FromSeconds(10)), Does.Contain("gzip").And.Contain("br"), "the request's Accept-Encoding is the client's");
        }
    }

    [Test]
    public async Task AddSse_ReplacesNothingTheApplicationRegistered()
    {
        var before = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IAuthorizationMiddlewareResultHandler, OwnResultHandler>()
            .AddSingleton<TimeProvider>(new OwnClock());
        var registered = before.ToList();

        before.AddSse();
        await using var services = before.BuildServiceProvider();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(registered, Is.SubsetOf(before), "every registration of the app is still there");
            Assert.That(before.Count(d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler)), Is.EqualTo(1));
            Assert.That(services.GetRequiredService<IAuthorizationMiddlewareResultHandler>(), Is.InstanceOf<OwnResultHandler>());
            Assert.That(services.GetRequiredService<TimeProvider>(), Is.InstanceOf<OwnClock>());
        }
    }

    [Test]
    public async Task AMiddlewareWrappingTheBody_GetsTheStreamThroughIt_AndAWrapperThatBreaks_EndsThatStreamWithAWarning()
    {
        await using var site = await TestSite.StartAsync(services =>
        {
            services.AddSingleton<IStartupFilter>(new InFront(app => app.Use(async (context, next) =>
            {
                var original = context.Response.Body;
                await using var wrapper = new BreakingWrapper(original);
                context.Response.Body = wrapper;
                try
                {
                    await next(context);
                }
                finally
                {
                    context.Response.Body = original;
                }
            })));
        });
        var http = site.Http;
        var publisher = site.Services.GetRequiredService<ISsePublisher>();

        await using var wrapped = await SseTestStream.OpenAsync(http, "/sse/stream?channel=wrapped");
        await publisher.PublishAsync("through the wrapper", channel: "wrapped");
        var received = await wrapped.ReadEventAsync();
        await using var breaking = await SseTestStream.OpenAsync(http, "/sse/stream?channel=breaks");
        await publisher.PublishAsync("lost", channel: "breaks");

        var logs = site.Logs;
        await Eventually.HoldsAsync(() => Task.FromResult(logs.GetSnapshot().Any(r => r.Id.Name == "SseStreamFailed")), "the broken stream ended with the SseStreamFailed warning");
        await Eventually.HoldsAsync(
            async () => await site.Services.GetRequiredService<ISseChannelStats>().CountSubscribersAsync("breaks") == 0,
            "the failed stream's listener is gone");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(received, Is.EqualTo("data:through the wrapper\n\n"));
            Assert.That(logs.GetSnapshot().Where(r => r.Level >= LogLevel.Error).Select(r => r.Message), Is.Empty, "no unhandled request error");
        }
    }

    private static async Task<HttpResponseMessage> GetHeadersAsync(HttpClient http, string url, string? user = null)
    {
        using var deadline = new CancellationTokenSource(SseTestStream.DefaultTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user);
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
    }

    /// <summary>Puts middleware in front of the application's own, around everything it maps.</summary>
    private sealed class InFront(Action<IApplicationBuilder> configure) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            configure(app);
            next(app);
        };
    }

    private sealed class ScopedResource(TaskCompletionSource disposed) : IDisposable
    {
        private bool _disposed;

        public bool Use() => !_disposed;

        public void Dispose()
        {
            _disposed = true;
            disposed.TrySetResult();
        }
    }

    /// <summary>An area filter with a scoped dependency, as one reading a database would have.</summary>
    private sealed class UsesTheScopedResource(ScopedResource resource) : Microsoft.AspNetCore.Mvc.Filters.IAsyncActionFilter
    {
        public Task OnActionExecutionAsync(Microsoft.AspNetCore.Mvc.Filters.ActionExecutingContext context, Microsoft.AspNetCore.Mvc.Filters.ActionExecutionDelegate next)
            => resource.Use() ? next() : throw new ObjectDisposedException(nameof(ScopedResource));
    }

    private sealed class OwnResultHandler : IAuthorizationMiddlewareResultHandler
    {
        public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
            => next(context);
    }

    private sealed class OwnClock : TimeProvider;

    /// <summary>A body wrapper that passes writes through, and throws on a write of an event whose data is "lost".</summary>
    private sealed class BreakingWrapper(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            => System.Text.Encoding.UTF8.GetString(buffer.Span).Contains("data:lost", StringComparison.Ordinal)
                ? throw new IOException("The wrapper broke.")
                : inner.WriteAsync(buffer, cancellationToken);
    }
}
