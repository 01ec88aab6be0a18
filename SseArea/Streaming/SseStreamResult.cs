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
/// A stream keeps nothing per connection that it can share: no linked cancellation source (the
/// client's <see cref="HttpContext.RequestAborted"/> ends the pump, and one registration on
/// <see cref="IHostApplicationLifetime.ApplicationStopping"/> stops the connection).
/// </remarks>
internal sealed class SseStreamResult(SseConnection connection, IAsyncDisposable subscription, IReadOnlyList<string> channels, byte[] preamble) : IActionResult
{
    private ILogger _logger = null!;
    private SseMetrics _metrics = null!;

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        _logger = services.GetRequiredService<ILogger<SseStreamResult>>();
        _metrics = services.GetRequiredService<SseMetrics>();
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        await using (subscription)
        {
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
            try
            {
                // The application stopping ends the stream as the client leaving does, without a linked source.
                using var stop = stopping.Register(static state => ((SseConnection)state!).Stop(), connection);
                await response.StartAsync(aborted);
                response.BodyWriter.Write(preamble);
                await response.BodyWriter.FlushAsync(aborted);
                await connection.PumpAsync(response.BodyWriter, aborted);
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The client left: the normal end of a stream.
            }
            finally
            {
                _metrics.ConnectionClosed();
            }

            Ended(http);
        }
    }

    private void Ended(HttpContext http)
    {
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
