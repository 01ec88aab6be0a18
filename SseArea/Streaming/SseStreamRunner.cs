using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SseArea.Streaming;

/// <summary>
/// Runs open streams outside the rest of the request pipeline. An MVC action awaited for a stream's
/// whole life keeps its invoker, filter contexts, controller, model state and every middleware
/// frame in between (authentication, authorization, exception handler) alive: about 4 KiB per idle
/// connection. This middleware, put first by <see cref="SseStreamStartupFilter"/>, lets
/// <see cref="SseStreamResult"/> start the response inside MVC (headers, preamble, filters as before)
/// and hand the pump back here, so all of that is released while the stream goes on.
/// </summary>
internal sealed class SseStreamRunner(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var deferral = new SseStreamDeferral();
        context.Features.Set(deferral);
        try
        {
            await next(context);
        }
        catch
        {
            if (deferral.Take() is { } abandoned)
            {
                await abandoned.RunAsync(context, pump: false);
            }

            throw;
        }

        if (deferral.Take() is { } stream)
        {
            // Every filter and the action are done: the request's scoped services (a filter's
            // dependencies, an app's DbContext) are released now rather than when the stream ends,
            // which may be hours later. The pump uses none of them.
            if (context.Features.Get<IServiceProvidersFeature>() is IAsyncDisposable scope)
            {
                await scope.DisposeAsync();
            }

            await stream.RunAsync(context, pump: true);
        }
    }
}

/// <summary>Where <see cref="SseStreamResult"/> leaves a started stream for <see cref="SseStreamRunner"/>.</summary>
internal sealed class SseStreamDeferral
{
    private SseStreamResult? _stream;

    public void Defer(SseStreamResult stream)
    {
        if (Interlocked.CompareExchange(ref _stream, stream, null) is not null)
        {
            throw new InvalidOperationException("A stream was already started on this request; one request carries one stream.");
        }
    }

    public SseStreamResult? Take() => Interlocked.Exchange(ref _stream, null);
}

/// <summary>Puts <see cref="SseStreamRunner"/> in front of the application's own middleware.</summary>
internal sealed class SseStreamStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(inner => new SseStreamRunner(inner).InvokeAsync);
        next(app);
    };
}
