using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SseArea.Internal.Wire;

namespace SseArea.Internal.Hosting;

/// <summary>Checks <see cref="SseOptions"/> at startup; every failure names the setting.</summary>
internal sealed class SseOptionsValidator(IConfiguration configuration) : IValidateOptions<SseOptions>
{
    /// <summary>The most events kept per channel: replay reads them all at once.</summary>
    public const int MaxHistoryLength = 100_000;

    /// <summary>Settings of earlier versions and their new names: a value left under an old one must not be ignored silently.</summary>
    private static readonly (string Old, string New)[] Renamed =
    [
        ("Sse:RedisUrl", SseOptionsSetup.UrlKey),
        ("Sse:RedisShardedPubSub", "Sse:Redis:ShardedPubSub"),
    ];

    public ValidateOptionsResult Validate(string? name, SseOptions options)
    {
        var failures = new List<string>();
        ValidateRedis(options.Redis, failures);
        AtLeastOne(nameof(options.MaxChannelNameLength), options.MaxChannelNameLength);

        var channelError = options.DefaultChannel is null
            ? "it is not set"
            : SseChannelName.Check(options.DefaultChannel, Math.Max(1, options.MaxChannelNameLength));
        if (channelError is not null)
        {
            failures.Add($"Sse:DefaultChannel is not a valid channel name: {channelError}");
        }

        if (!IsRoutePath(options.RoutePrefix))
        {
            failures.Add($"Sse:RoutePrefix must be a non-empty URL path such as 'sse/stream', without '?', '#', braces, backslashes or spaces (it is '{options.RoutePrefix}').");
        }

        AtLeastOne(nameof(options.MaxChannelsPerConnection), options.MaxChannelsPerConnection);
        AtLeastOne(nameof(options.MaxQueuedEventsPerConnection), options.MaxQueuedEventsPerConnection);
        AtLeastOne(nameof(options.MaxEventBytes), options.MaxEventBytes);
        AtLeastOne(nameof(options.MaxConcurrentReplays), options.MaxConcurrentReplays);
        if (options.MaxStreams is { } maxStreams)
        {
            AtLeastOne(nameof(options.MaxStreams), maxStreams);
        }
        if (options.MaxBufferedBytesPerConnection < options.MaxEventBytes)
        {
            failures.Add($"Sse:MaxBufferedBytesPerConnection must be at least Sse:MaxEventBytes ({options.MaxEventBytes}), so that one event fits (it is {options.MaxBufferedBytesPerConnection}).");
        }

        if (options.RetryInterval is { } retry && (retry < TimeSpan.Zero || retry.TotalMilliseconds > int.MaxValue))
        {
            failures.Add($"Sse:RetryInterval must be between 0 and {int.MaxValue} ms (it is {retry}).");
        }

        if (options.HeartbeatInterval < TimeSpan.Zero || options.HeartbeatInterval.TotalMilliseconds > int.MaxValue)
        {
            failures.Add($"Sse:HeartbeatInterval must be between 0 (off) and {int.MaxValue} ms (it is {options.HeartbeatInterval}).");
        }

        if (options.AccessRecheckInterval < TimeSpan.Zero || options.AccessRecheckInterval.TotalMilliseconds > int.MaxValue)
        {
            failures.Add($"Sse:AccessRecheckInterval must be between 0 (off) and {int.MaxValue} ms (it is {options.AccessRecheckInterval}).");
        }

        if (options.HistoryLength < 0 || options.HistoryLength > MaxHistoryLength)
        {
            failures.Add($"Sse:HistoryLength must be between 0 (off) and {MaxHistoryLength} (it is {options.HistoryLength}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);

        void AtLeastOne(string setting, int value)
        {
            if (value < 1)
            {
                failures.Add($"Sse:{setting} must be at least 1 (it is {value}).");
            }
        }
    }

    /// <summary>Whether <paramref name="path"/> is a non-empty URL path for a route: no '?', '#', braces, backslashes or spaces.</summary>
    public static bool IsRoutePath(string? path)
    {
        var trimmed = path?.Trim('/');
        return !string.IsNullOrEmpty(trimmed) && trimmed.IndexOfAny(['?', '#', '{', '}', '\\']) < 0 && !trimmed.Any(char.IsWhiteSpace);
    }

    private void ValidateRedis(SseRedisOptions redis, List<string> failures)
    {
        if (redis.ChannelPrefix is { Length: > 0 } channelPrefix)
        {
            var error = channelPrefix.Length > 64 ? $"it is {channelPrefix.Length} characters long, more than 64"
                : channelPrefix.StartsWith("__", StringComparison.Ordinal) ? "it starts with '__', which Redis and its clients keep for themselves"
                : channelPrefix.AsSpan().IndexOfAny('{', '}') >= 0 ? "it holds a brace, which would choose the Redis Cluster slot of every channel"
                : SseChannelName.Check(channelPrefix, 64);
            if (error is not null)
            {
                failures.Add($"Sse:Redis:ChannelPrefix is not valid: {error.TrimEnd('.')}.");
            }
        }

        foreach (var (old, now) in Renamed)
        {
            if (!string.IsNullOrEmpty(configuration[old]))
            {
                failures.Add($"The setting '{old}' was renamed '{now}' (environment variable {now.Replace(":", "__", StringComparison.Ordinal)}); move its value there.");
            }
        }

        string?[] set =
        [
            redis.ConnectionFactory is null ? null : "SseOptions.Redis.ConnectionFactory",
            redis.Configuration is null ? null : "SseOptions.Redis.Configuration",
            string.IsNullOrWhiteSpace(redis.Url) ? null : $"'{redis.UrlSource}'",
        ];
        var ways = set.OfType<string>().ToList();
        if (ways.Count > 1)
        {
            failures.Add($"Redis is configured {ways.Count} ways ({string.Join(", ", ways)}); set one of them.");
        }
        else if (redis.UrlError is not null)
        {
            failures.Add($"The Redis URL in '{redis.UrlSource}' is malformed: {redis.UrlError}.");
        }

        if (redis.ShardedPubSub && !redis.IsConfigured)
        {
            failures.Add("Sse:Redis:ShardedPubSub is on, but no Redis is configured (Sse:Redis:Url, SSE_REDIS_URL or REDIS_URL): sharded pub/sub needs Redis 7 or later.");
        }
    }
}
