using System.Buffers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SseArea.Diagnostics;

namespace SseArea.Streaming;

/// <summary>
/// Writes an open subscription to the response as <c>text/event-stream</c> until the client
/// leaves or the application stops. Owns the subscription: it is disposed when the stream ends.
/// </summary>
/// <remarks>
/// The response starts here, inside MVC (headers and the preamble, so filters and middleware see a
/// started 200 as before); the pump then runs in <see cref="SseStreamRunner"/> when AddSse's startup
/// filter put it in the pipeline (always, unless the host ignores startup filters), so the MVC
/// invoker and the middleware frames are not kept alive for the stream's life; without it the
/// pump runs here. Nothing else per stream: no linked cancellation source (the client's
/// <see cref="HttpContext.RequestAborted"/> ends the pump, and one registration on
/// <see cref="IHostApplicationLifetime.ApplicationStopping"/> stops the connection).
/// </remarks>
internal sealed class SseStreamResult(SseConnection connection, IAsyncDisposable subscription, IReadOnlyList<string> channels, byte[] preamble) : IActionResult
{
    private ILogger _logger = null!;
    private SseMetrics _metrics = null!;
    private CancellationTokenRegistration _stop;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        _logger = services.GetRequiredService<ILogger<SseStreamResult>>();
        _metrics = services.GetRequiredService<SseMetrics>();
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;

        var response = http.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        // Never compressed: a compressing middleware (UseResponseCompression) picks its encoding
        // from the request's Accept-Encoding when the response starts, so without one it
        // passes the stream through untouched and unbuffered.
        http.Request.Headers.AcceptEncoding = default;
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        SseLog.StreamOpened(_logger, channels);
        _metrics.ConnectionOpened();
        var aborted = http.RequestAborted;
        var started = false;
        try
        {
            // The application stopping ends the stream as the client leaving does, without a linked source.
            // UnsafeRegister: Stop needs no execution context, and capturing one would keep MVC's log scopes alive.
            _stop = stopping.UnsafeRegister(static state => ((SseConnection)state!).Stop(), connection);
            await response.StartAsync(aborted);
            response.BodyWriter.Write(preamble);
            await response.BodyWriter.FlushAsync(aborted);
            started = true;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client left before the stream started.
        }
        finally
        {
            if (!started)
            {
                await RunAsync(http, pump: false);
            }
        }

        if (!started)
        {
            return;
        }

        if (http.Features.Get<SseStreamDeferral>() is { } deferral)
        {
            deferral.Defer(this);
            return;
        }

        await RunAsync(http, pump: true);
    }

    /// <summary>Pumps the started stream (unless <paramref name="pump"/> is false), then ends it: the subscription, the metrics, the log.</summary>
    public async Task RunAsync(HttpContext http, bool pump)
    {
        await using (subscription)
        {
            var aborted = http.RequestAborted;
            var failed = false;
            try
            {
                if (pump)
                {
                    // The response's writer as it is now: middleware that wrapped it has returned.
                    await connection.PumpAsync(http.Response.BodyWriter, aborted);
                }
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client left: the normal end of a stream.
            }
            catch (Exception e) when (pump && e is not OperationCanceledException)
            {
                // Writing failed (e.g. a middleware disposed a Response.Body wrapper it did not put
                // back): end this stream alone, said in the log, instead of an unhandled request error.
                SseLog.StreamFailed(_logger, channels, e);
                failed = true;
                http.Abort();
            }
            finally
            {
                _stop.Dispose();
                _metrics.ConnectionClosed();
            }

            if (failed)
            {
                return;
            }

            if (connection.Overflowed)
            {
                SseLog.SlowClientDropped(_logger, channels);
                _metrics.ClientDropped();

                // Its unread bytes may still sit in the server's buffers: drop the connection with them.
                http.Abort();
            }
            else
            {
                SseLog.StreamClosed(_logger, channels);
            }
        }
    }
}
