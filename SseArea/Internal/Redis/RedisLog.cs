using Microsoft.Extensions.Logging;

namespace SseArea.Internal.Redis;

/// <summary>The Redis broker's log messages, in one place.</summary>
internal static partial class RedisLog
{
    [LoggerMessage(1, LogLevel.Information, "Connected to Redis at {Endpoint}.", EventName = "RedisConnected")]
    public static partial void Connected(ILogger logger, string endpoint);

    [LoggerMessage(2, LogLevel.Warning, "Redis at {Endpoint} is not reachable yet; streams answer 503 and publishes throw until the connection is made (retrying in the background).", EventName = "RedisNotConnected")]
    public static partial void NotConnected(ILogger logger, string endpoint);

    [LoggerMessage(3, LogLevel.Warning, "Lost the connection to Redis at {Endpoint} ({FailureType}).", EventName = "RedisConnectionFailed")]
    public static partial void ConnectionFailed(ILogger logger, string endpoint, string failureType, Exception? exception);

    [LoggerMessage(4, LogLevel.Information, "Connection to Redis at {Endpoint} restored; subscriptions are renewed.", EventName = "RedisConnectionRestored")]
    public static partial void ConnectionRestored(ILogger logger, string endpoint);

    [LoggerMessage(5, LogLevel.Debug, "Subscribed to Redis channel '{Channel}'.", EventName = "RedisSubscribed")]
    public static partial void Subscribed(ILogger logger, string channel);

    [LoggerMessage(6, LogLevel.Debug, "Unsubscribed from Redis channel '{Channel}' (its last local listener left).", EventName = "RedisUnsubscribed")]
    public static partial void Unsubscribed(ILogger logger, string channel);

    [LoggerMessage(7, LogLevel.Warning, "Could not unsubscribe from Redis channel '{Channel}'.", EventName = "RedisUnsubscribeFailed")]
    public static partial void UnsubscribeFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(8, LogLevel.Warning, "Skipped a payload on Redis channel '{Channel}' that is not a valid Flask-SSE event: {Reason}. Payload: {Payload}", EventName = "RedisInvalidPayload")]
    public static partial void InvalidPayload(ILogger logger, string channel, string reason, string payload);

    [LoggerMessage(9, LogLevel.Error, "Delivering {Count} event(s) of Redis channel '{Channel}' to this server's streams failed; its streams were sent sse-missed.", EventName = "RedisDeliveryFailed")]
    public static partial void DeliveryFailed(ILogger logger, string channel, int count, Exception exception);

    [LoggerMessage(700, LogLevel.Warning, "The subscription connection to Redis at {Endpoint} was down: events published meanwhile reached no stream here; the open streams of {Channels} channel(s) were sent sse-missed.", EventName = "RedisSubscriptionGap")]
    public static partial void SubscriptionGap(ILogger logger, string endpoint, int channels);

    [LoggerMessage(750, LogLevel.Information, "Redis at {Endpoint} is a cluster ({Masters} masters known); channels use {PubSub}.", EventName = "RedisClusterRecognised")]
    public static partial void ClusterRecognised(ILogger logger, string endpoint, int masters, string pubSub);

    [LoggerMessage(410, LogLevel.Warning, "Could not write this server's subscriber counts to Redis; retrying later.", EventName = "RedisPresenceFailed")]
    public static partial void PresenceFailed(ILogger logger, Exception exception);
}
