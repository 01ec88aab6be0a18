using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseArea.Brokers;
using SseArea.Diagnostics;

namespace SseArea.Streaming;

/// <summary>
/// What the stream action does: reads and checks the requested channels, subscribes, and answers
/// either an error (400, 503) or the stream. Kept out of the controller so that an application's
/// own <c>StreamController</c> subclass needs no constructor arguments.
/// </summary>
internal sealed class SseStreamHandler(
    ISseBroker broker,
    IOptions<SseOptions> options,
    ProblemDetailsFactory problems,
    ILogger<SseStreamHandler> logger,
    TimeProvider timeProvider,
    SseMetrics metrics)
{
    private const string ChannelParameter = "channel";

    private readonly SseOptions _options = options.Value;
    // Sent as soon as the stream opens: an empty comment, and the retry field when configured.
    // Real bytes, not just headers, so every layer between here and the browser (a compressing
    // middleware, a proxy) passes the open stream on at once.
    private readonly byte[] _preamble = System.Text.Encoding.UTF8.GetBytes(options.Value.RetryInterval is { } retry
        ? $":\nretry:{((long)retry.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}\n\n"
        : ":\n\n");

    public async Task<IActionResult> OpenAsync(HttpContext http)
    {
        if (ReadChannels(http.Request, out var error) is not { } channels)
        {
            SseLog.BadRequest(logger, error!);
            return Problem(http, StatusCodes.Status400BadRequest, "Invalid stream request", error!);
        }

        var lastEventId = SseLastEventId.Read(http.Request, out var idError);
        if (idError is not null)
        {
            SseLog.BadRequest(logger, idError);
            return Problem(http, StatusCodes.Status400BadRequest, "Invalid stream request", idError);
        }

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
            return Problem(http, StatusCodes.Status503ServiceUnavailable, "Event broker unavailable", e.Message);
        }

        connection.SetReplay(subscription.Replay);
        metrics.EventsReplayed(subscription.Replay.Frames.Count);
        if (subscription.Replay.MissedChannels.Count > 0)
        {
            SseLog.ReplayMissed(logger, subscription.Replay.MissedChannels);
        }

        // Should the result never run (an exception filter, say), the subscription still ends with the request.
        http.Response.RegisterForDisposeAsync(subscription);
        return new SseStreamResult(connection, subscription, channels, _preamble);
    }

    /// <summary>
    /// The channels asked for by repeated <c>channel</c> query values, in order, without duplicates.
    /// Empty values are ignored; none left means the default channel.
    /// </summary>
    private List<string>? ReadChannels(HttpRequest request, out string? error)
    {
        var values = request.Query[ChannelParameter];
        var channels = new List<string>(Math.Max(1, values.Count));
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value) || channels.Contains(value, StringComparer.Ordinal))
            {
                continue;
            }

            if (channels.Count == _options.MaxChannelsPerConnection)
            {
                error = $"A stream may follow at most {_options.MaxChannelsPerConnection} channels (Sse:MaxChannelsPerConnection); this request asks for more.";
                return null;
            }

            if (SseChannelName.Check(value, _options.MaxChannelNameLength) is { } reason)
            {
                error = $"Invalid channel '{SseChannelName.Display(value)}': {reason}";
                return null;
            }

            channels.Add(value);
        }

        if (channels.Count == 0)
        {
            channels.Add(_options.DefaultChannel);
        }

        error = null;
        return channels;
    }

    private ObjectResult Problem(HttpContext http, int status, string title, string detail)
    {
        var problem = problems.CreateProblemDetails(http, status, title, detail: detail);
        return new ObjectResult(problem)
        {
            StatusCode = status,
            ContentTypes = { "application/problem+json" },
        };
    }
}
