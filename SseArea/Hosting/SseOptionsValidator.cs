using Microsoft.Extensions.Options;
using SseArea.Brokers.Redis;
using SseArea.Streaming;

namespace SseArea.Hosting;

/// <summary>Checks <see cref="SseOptions"/> at startup; every failure names the setting.</summary>
internal sealed class SseOptionsValidator : IValidateOptions<SseOptions>
{
    /// <summary>The most events kept per channel: replay reads them all at once.</summary>
    public const int MaxHistoryLength = 100_000;

    public ValidateOptionsResult Validate(string? name, SseOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.RedisUrl)
            && !RedisUrl.TryParse(options.RedisUrl, out _, out var redisError))
        {
            failures.Add($"The Redis URL in '{options.RedisUrlSource}' is malformed: {redisError}. Value: '{RedisUrl.MaskPassword(options.RedisUrl)}'.");
        }

        if (options.RedisShardedPubSub && string.IsNullOrWhiteSpace(options.RedisUrl))
        {
            failures.Add("Sse:RedisShardedPubSub is on, but no Redis is configured (Sse:RedisUrl, SSE_REDIS_URL or REDIS_URL): sharded pub/sub needs Redis 7 or later.");
        }

        if (options.MaxChannelNameLength < 1)
        {
            failures.Add($"Sse:MaxChannelNameLength must be at least 1 (it is {options.MaxChannelNameLength}).");
        }

        var channelError = options.DefaultChannel is null
            ? "it is not set"
            : SseChannelName.Check(options.DefaultChannel, Math.Max(1, options.MaxChannelNameLength));
        if (channelError is not null)
        {
            failures.Add($"Sse:DefaultChannel is not a valid channel name: {channelError}");
        }

        var prefix = options.RoutePrefix?.Trim('/');
        if (string.IsNullOrEmpty(prefix) || prefix.IndexOfAny(['?', '#', '{', '}', '\\']) >= 0 || prefix.Any(char.IsWhiteSpace))
        {
            failures.Add($"Sse:RoutePrefix must be a non-empty URL path such as 'sse/stream', without '?', '#', braces, backslashes or spaces (it is '{options.RoutePrefix}').");
        }

        if (options.MaxChannelsPerConnection < 1)
        {
            failures.Add($"Sse:MaxChannelsPerConnection must be at least 1 (it is {options.MaxChannelsPerConnection}).");
        }

        if (options.MaxQueuedEventsPerConnection < 1)
        {
            failures.Add($"Sse:MaxQueuedEventsPerConnection must be at least 1 (it is {options.MaxQueuedEventsPerConnection}).");
        }

        if (options.RetryInterval is { } retry && (retry < TimeSpan.Zero || retry.TotalMilliseconds > int.MaxValue))
        {
            failures.Add($"Sse:RetryInterval must be between 0 and {int.MaxValue} ms (it is {retry}).");
        }

        if (options.HeartbeatInterval < TimeSpan.Zero || options.HeartbeatInterval.TotalMilliseconds > int.MaxValue)
        {
            failures.Add($"Sse:HeartbeatInterval must be between 0 (off) and {int.MaxValue} ms (it is {options.HeartbeatInterval}).");
        }

        if (options.HistoryLength < 0 || options.HistoryLength > MaxHistoryLength)
        {
            failures.Add($"Sse:HistoryLength must be between 0 (off) and {MaxHistoryLength} (it is {options.HistoryLength}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
