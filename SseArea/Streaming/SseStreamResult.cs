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
internal sealed class SseStreamResult(SseConnection connection, IAsyncDisposable subscription, IReadOnlyList<string> channels, byte[] preamble) : IActionResult
{
    public async Task ExecuteResultAsync(ActionContext context)
    {
        var http = context.HttpContext;
        var services = http.RequestServices;
        var logger = services.GetRequiredService<ILogger<SseStreamResult>>();
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var metrics = services.GetRequiredService<SseMetrics>();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, stopping);
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

            SseLog.StreamOpened(logger, channels);
            metrics.ConnectionOpened();
            try
            {
                await response.StartAsync(ended.Token);
                response.BodyWriter.Write(preamble);
                await response.BodyWriter.FlushAsync(ended.Token);
                await connection.PumpAsync(response.BodyWriter, ended.Token);
            }
            catch (OperationCanceledException) when (ended.IsCancellationRequested)
            {
                // The client left or the application is stopping: the normal end of a stream.
            }
            finally
            {
                metrics.ConnectionClosed();
            }

            if (connection.Overflowed)
            {
                SseLog.SlowClientDropped(logger, channels);
                metrics.ClientDropped();

                // Its unread bytes may still sit in the server's buffers: drop the connection with them.
                http.Abort();
            }
            else
            {
                SseLog.StreamClosed(logger, channels);
            }
        }
    }
}
