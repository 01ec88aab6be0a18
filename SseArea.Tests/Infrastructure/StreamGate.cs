using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace SseArea.Tests.Infrastructure;

/// <summary>Stands in front of the stream endpoint as a proxy would during a deploy: cuts open streams, answers 503.</summary>
internal sealed class StreamGate
{
    private readonly ConcurrentDictionary<HttpContext, byte> _open = new();
    private int _held;

    public volatile bool Unavailable;

    /// <summary>While set, stream requests wait here until it completes: a reconnect held back while events are published.</summary>
    public volatile TaskCompletionSource? Held;

    /// <summary>How many stream requests have waited at <see cref="Held"/> so far.</summary>
    public int HeldRequests => Volatile.Read(ref _held);

    /// <summary>The <c>Last-Event-ID</c> header of the last stream request that came through (null: none).</summary>
    public string? LastEventIdSent { get; private set; }

    public void Use(IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!context.Request.Path.StartsWithSegments("/sse/stream"))
        {
            await next(context);
            return;
        }

        if (Unavailable)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (Held is { } held)
        {
            Interlocked.Increment(ref _held);
            await held.Task.WaitAsync(context.RequestAborted);
        }

        LastEventIdSent = context.Request.Headers["Last-Event-ID"].FirstOrDefault();
        _open[context] = 0;
        try
        {
            await next(context);
        }
        finally
        {
            _open.TryRemove(context, out _);
        }
    });

    public void CutAll()
    {
        foreach (var context in _open.Keys)
        {
            context.Abort();
        }
    }
}
