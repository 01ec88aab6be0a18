using Microsoft.Extensions.Logging;

namespace SseArea.Internal.Diagnostics;

/// <summary>The stream endpoint's and publisher's log messages, in one place.</summary>
internal static partial class SseLog
{
    [LoggerMessage(101, LogLevel.Information, "SseArea broker: {Broker}.", EventName = "SseBroker")]
    public static partial void BrokerSelected(ILogger logger, string broker);

    [LoggerMessage(102, LogLevel.Debug, "Stream opened on channels {Channels}.", EventName = "SseStreamOpened")]
    public static partial void StreamOpened(ILogger logger, IReadOnlyList<string> channels);

    [LoggerMessage(103, LogLevel.Debug, "Stream closed on channels {Channels}.", EventName = "SseStreamClosed")]
    public static partial void StreamClosed(ILogger logger, IReadOnlyList<string> channels);

    [LoggerMessage(104, LogLevel.Warning, "Closed a stream on channels {Channels}: the client fell too far behind (Sse:MaxQueuedEventsPerConnection or Sse:MaxBufferedBytesPerConnection). It reconnects by itself.", EventName = "SseSlowClientDropped")]
    public static partial void SlowClientDropped(ILogger logger, IReadOnlyList<string> channels);

    [LoggerMessage(105, LogLevel.Information, "Refused a stream request: {Reason}", EventName = "SseStreamBadRequest")]
    public static partial void BadRequest(ILogger logger, string reason);

    [LoggerMessage(106, LogLevel.Warning, "Refused a stream request with 503: {Reason}", EventName = "SseBrokerUnavailable")]
    public static partial void BrokerUnavailable(ILogger logger, string reason, Exception exception);

    [LoggerMessage(600, LogLevel.Warning, "Ended a stream on channels {Channels}: writing to the response failed. A middleware around the stream must leave Response.Body usable (restore what it replaced) when it returns.", EventName = "SseStreamFailed")]
    public static partial void StreamFailed(ILogger logger, IReadOnlyList<string> channels, Exception exception);

    [LoggerMessage(201, LogLevel.Warning, "Refused stream channels {Channels} to {User}: {Reason}", EventName = "SseChannelRefused")]
    public static partial void ChannelRefused(ILogger logger, string channels, string user, string reason);

    [LoggerMessage(401, LogLevel.Information, "A client reconnected with a Last-Event-ID whose missed events are no longer kept on channels {Channels}; it was told with an sse-missed event.", EventName = "SseReplayMissed")]
    public static partial void ReplayMissed(ILogger logger, IReadOnlyList<string> channels);

    [LoggerMessage(501, LogLevel.Warning, "The SseArea dashboard could not publish this server's figures; it tries again at the next update.", EventName = "SseDashboardFailed")]
    public static partial void DashboardFailed(ILogger logger, Exception exception);
}
