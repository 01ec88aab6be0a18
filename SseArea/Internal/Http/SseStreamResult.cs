using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using SseArea.Internal.Delivery;
using SseArea.Internal.Diagnostics;

namespace SseArea.Internal.Http;

/// <summary>
/// Writes an open subscription (which it owns) to the response as <c>text/event-stream</c> until the client leaves,
/// the application stops, or the client falls too far behind. The response starts here, inside MVC, so result filters
/// see a started 200; the pump runs in <see cref="SseStreamEndpointPolicy"/>'s endpoint, or here where it is not in use.
/// </summary>
internal sealed class SseStreamResult(SseStreamHandler handler, SseConnection connection, IAsyncDisposable subscription, IReadOnlyList<string> channels) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        // Never compressed, said by the response itself, as ASP.NET Core's own ServerSentEventsResult does:
        // a compressing middleware leaves a response that already has a Content-Encoding alone.
        response.Headers.ContentEncoding = "identity";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        SseLog.StreamOpened(handler.Logger, channels);
        handler.Metrics.ConnectionOpened();
        var aborted = http.RequestAborted;
        try
        {
            await response.StartAsync(aborted);
            response.BodyWriter.Write(handler.Preamble);
            await response.BodyWriter.FlushAsync(aborted);
        }
        catch (Exception e)
        {
            await EndAsync(http, failure: null);
            if (e is OperationCanceledException && aborted.IsCancellationRequested)
            {
                return; // The client left before the stream started.
            }

            throw;
        }

        if (http.Features.Get<SseStreamSlot>() is { } slot)
        {
            slot.Park(this);
            return;
        }

        await EndAsync(http, await PumpAsync(http));
    }

    /// <summary>Writes the stream until it ends. Not async itself: an idle stream keeps only its caller's frame and the pump's.</summary>
    public Task<Exception?> PumpAsync(HttpContext http) => connection.PumpAsync(http.Response.BodyWriter, http.RequestAborted);

    /// <summary>Ends the stream, pumped or not: subscription, metrics, log, and an abort if the client was cut off or writing failed.</summary>
    public async Task EndAsync(HttpContext http, Exception? failure)
    {
        await using (subscription)
        {
            handler.Metrics.ConnectionClosed();
            if (failure is not null)
            {
                // E.g. a middleware disposed a Response.Body wrapper it put in: this stream ends, said in the log.
                SseLog.StreamFailed(handler.Logger, channels, failure);
            }
            else if (connection.Overflowed)
            {
                SseLog.SlowClientDropped(handler.Logger, channels);
                handler.Metrics.ClientDropped();
            }
            else
            {
                SseLog.StreamClosed(handler.Logger, channels);
            }

            // Unsent bytes of a client cut off or not reading may sit in the server's buffers: the connection goes with them
            // (and shutdown does not wait for a client that stopped reading).
            if (failure is not null || connection.Overflowed || connection.FlushAbandoned)
            {
                http.Abort();
            }
        }
    }
}
