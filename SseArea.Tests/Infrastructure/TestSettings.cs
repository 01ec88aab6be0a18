namespace SseArea.Tests.Infrastructure;

/// <summary>
/// Every configuration key the tests set or expect in a message, in one place: renaming a setting
/// of the library is a change here.
/// </summary>
internal static class TestSettings
{
    public const string RedisUrl = "Sse:Redis:Url";
    public const string RedisShardedPubSub = "Sse:Redis:ShardedPubSub";
    public const string RedisChannelPrefix = "Sse:Redis:ChannelPrefix";
    public const string HistoryLength = "Sse:HistoryLength";
    public const string HeartbeatInterval = "Sse:HeartbeatInterval";
    public const string RetryInterval = "Sse:RetryInterval";
    public const string RoutePrefix = "Sse:RoutePrefix";
    public const string DefaultChannel = "Sse:DefaultChannel";
    public const string MaxChannelNameLength = "Sse:MaxChannelNameLength";
    public const string MaxChannelsPerConnection = "Sse:MaxChannelsPerConnection";
    public const string MaxQueuedEventsPerConnection = "Sse:MaxQueuedEventsPerConnection";
    public const string MaxBufferedBytesPerConnection = "Sse:MaxBufferedBytesPerConnection";
    public const string MaxEventBytes = "Sse:MaxEventBytes";
    public const string MaxConcurrentReplays = "Sse:MaxConcurrentReplays";

    /// <summary>The test host's own: a policy its <c>MapControllers()</c> endpoints require (<c>RequireAuthorization</c>).</summary>
    public const string ControllersPolicy = "TestHost:ControllersPolicy";

    /// <summary>Flask-SSE's own keys for the Redis URL, read when <see cref="RedisUrl"/> is not set.</summary>
    public const string SseRedisUrlVariable = "SSE_REDIS_URL";

    /// <inheritdoc cref="SseRedisUrlVariable"/>
    public const string RedisUrlVariable = "REDIS_URL";

    /// <summary>The environment variable that sets <paramref name="key"/> (<c>Sse:Redis:Url</c> is <c>Sse__Redis__Url</c>).</summary>
    public static string AsEnvironmentVariable(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>
    /// Settings that leave the Redis URL to <paramref name="redisUrl"/> alone (null or empty: the
    /// in-memory broker), whatever the environment of the test run holds.
    /// </summary>
    public static Dictionary<string, string?> Broker(string? redisUrl) => new()
    {
        [RedisUrlVariable] = string.Empty,
        [SseRedisUrlVariable] = string.Empty,
        [RedisUrl] = redisUrl ?? string.Empty,
    };
}
