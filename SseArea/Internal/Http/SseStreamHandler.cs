using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseArea.Internal.Delivery;
using SseArea.Internal.Diagnostics;
using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;

namespace SseArea.Internal.Http;

/// <summary>Subscribes a stream request the filters let through, or answers 503; outside the controller so a subclass needs no arguments.</summary>
internal sealed class SseStreamHandler(
    ISseBroker broker,
    OpenStreams streams,
    IOptions<SseOptions> options,
    ILogger<SseStreamHandler> logger,
    SseMetrics metrics)
{
    private readonly SseOptions _options = options.Value;
    private int _streams; // requests past the cap check whose response has not completed

    /// <summary>Set in <c>HttpContext.Items</c> by the access filter when the stream needed a rule or a policy.</summary>
    internal static readonly object AccessCheckedKey = new();

    /// <summary>The first bytes of every stream (<see cref="SseWriter.Preamble"/>), made once.</summary>
    public byte[] Preamble { get; } = SseWriter.Preamble(options.Value.RetryInterval);

    public ILogger Logger => logger;

    public SseMetrics Metrics => metrics;

    /// <summary>When a stream whose access was checked must end: after the recheck interval, or when its ticket expires.</summary>
    private async Task<TimeSpan?> AccessEndsAsync(HttpContext http)
    {
        TimeSpan? after = _options.AccessRecheckInterval > TimeSpan.Zero ? _options.AccessRecheckInterval : null;
        // The default scheme's ticket (its handler has it already: no second authentication).
        var schemes = http.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>();
        if (await schemes.GetDefaultAuthenticateSchemeAsync() is not null
            && (await http.AuthenticateAsync()).Properties?.ExpiresUtc is { } expires)
        {
            var left = expires - streams.Time.GetUtcNow();
            after = left <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : after is { } interval && interval < left ? interval : left;
        }

        return after;
    }

    public async Task<IActionResult> OpenAsync(HttpContext http)
    {
        // Parsed by the area's access filter, which the area's convention puts first.
        var request = http.GetSseStreamRequest()
            ?? throw new InvalidOperationException("The stream request was not parsed: the Sse area's conventions are missing (call services.AddSse()).");

        if (_options.MaxStreams is { } cap)
        {
            if (Interlocked.Increment(ref _streams) > cap)
            {
                Interlocked.Decrement(ref _streams);
                http.Response.Headers.RetryAfter = "5";
                return SseProblem.Create(http, StatusCodes.Status503ServiceUnavailable, "Too many streams",
                    $"This server holds the most streams it may (Sse:MaxStreams = {cap}); try again later.");
            }

            http.Response.OnCompleted(() =>
            {
                Interlocked.Decrement(ref _streams);
                return Task.CompletedTask;
            });
        }

        var connection = new SseConnection(_options.MaxQueuedEventsPerConnection, streams, _options.MaxBufferedBytesPerConnection)
        {
            User = http.User,
        };
        if (http.Items.ContainsKey(AccessCheckedKey) && await AccessEndsAsync(http) is { } after)
        {
            connection.EndAfter(after);
        }

        ISseSubscription subscription;
        try
        {
            // Subscribed before the response starts: no event can fall between the two.
            subscription = await broker.SubscribeAsync(request.Channels, connection, request.LastEventId, http.RequestAborted);
        }
        catch (SseBrokerException e)
        {
            SseLog.BrokerUnavailable(logger, e.Message, e);
            return SseProblem.Create(http, StatusCodes.Status503ServiceUnavailable, "Event broker unavailable", e.Message);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            return new EmptyResult(); // the client left while it was being subscribed: nothing to answer, nothing left
        }

        // A replay longer than the queue (in events or bytes) is skipped for sse-missed: the client reloads its state.
        var replay = subscription.Replay.Bounded(_options.MaxQueuedEventsPerConnection, _options.MaxBufferedBytesPerConnection);
        connection.Resume(replay, request.Channels);
        metrics.EventsReplayed(replay.Frames.Count);
        if (replay.MissedChannels.Count > 0)
        {
            SseLog.ReplayMissed(logger, replay.MissedChannels);
            metrics.MissedSent(1);
        }

        // Should the result never run (an exception filter, say), the subscription still ends with the request:
        // the stream endpoint ends it after MVC returns, or else the response when it completes.
        if (http.Features.Get<SseStreamSlot>() is { } slot)
        {
            slot.Hold(subscription);
        }
        else
        {
            http.Response.RegisterForDisposeAsync(subscription);
        }

        return new SseStreamResult(this, connection, subscription, request.Channels);
    }
}
