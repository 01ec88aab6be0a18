using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseArea.Access;
using SseArea.Brokers;
using SseArea.Diagnostics;

namespace SseArea.Streaming;

/// <summary>
/// What the stream action does: subscribes to the requested channels (already parsed and checked), and answers
/// either an error (503) or the stream. Kept out of the controller so that an application's
/// own <c>StreamController</c> subclass needs no constructor arguments.
/// </summary>
internal sealed class SseStreamHandler(
    ISseBroker broker,
    IOptions<SseOptions> options,
    ILogger<SseStreamHandler> logger,
    TimeProvider timeProvider,
    SseMetrics metrics)
{
    private readonly SseOptions _options = options.Value;
    // Sent as soon as the stream opens: an empty comment, and the retry field when configured.
    // Real bytes, not just headers, so every layer between here and the browser (a compressing
    // middleware, a proxy) passes the open stream on at once.
    private readonly byte[] _preamble = System.Text.Encoding.UTF8.GetBytes(options.Value.RetryInterval is { } retry
        ? $":\nretry:{((long)retry.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}\n\n"
        : ":\n\n");

    public async Task<IActionResult> OpenAsync(HttpContext http)
    {
        // Parsed and checked by SseStreamRequestFilter, which the area's convention puts first.
        var request = http.GetSseStreamRequest()
            ?? throw new InvalidOperationException("The stream request was not parsed: the Sse area's conventions are missing (call services.AddSse()).");
        var channels = request.Channels;

        var lastEventId = request.LastEventId;
        var connection = new SseConnection(_options.MaxQueuedEventsPerConnection, channels, _options.HeartbeatInterval, timeProvider);
        ISseSubscription subscription;
        try
        {
            // Subscribed before the response starts: no event can fall between the two.
            subscription = await broker.SubscribeAsync(channels, connection, lastEventId, http.RequestAborted);
        }
        catch (SseBrokerException e)
        {
            SseLog.BrokerUnavailable(logger, e.Message, e);
            return SseProblem.Create(http, StatusCodes.Status503ServiceUnavailable, "Event broker unavailable", e.Message);
        }

        // A replay longer than the queue is skipped for sse-missed: the client reloads its state.
        var replay = subscription.Replay.Bounded(_options.MaxQueuedEventsPerConnection);
        connection.SetReplay(replay);
        metrics.EventsReplayed(replay.Frames.Count);
        if (replay.MissedChannels.Count > 0)
        {
            SseLog.ReplayMissed(logger, replay.MissedChannels);
        }

        // Should the result never run (an exception filter, say), the subscription still ends with the request.
        http.Response.RegisterForDisposeAsync(subscription);
        return new SseStreamResult(connection, subscription, channels, _preamble);
    }
}
