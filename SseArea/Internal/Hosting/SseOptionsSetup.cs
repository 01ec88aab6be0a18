using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SseArea.Internal.Redis;

namespace SseArea.Internal.Hosting;

/// <summary>
/// Completes the Redis settings as Flask-SSE reads its config: when the application set no Redis, the URL is the first
/// non-empty of <c>SSE_REDIS_URL</c> and <c>REDIS_URL</c>. The URL is parsed here, once, and its key remembered for messages.
/// </summary>
internal sealed class SseOptionsSetup(IConfiguration configuration) : IPostConfigureOptions<SseOptions>
{
    internal const string UrlKey = SseOptions.SectionName + ":Redis:Url";

    public void PostConfigure(string? name, SseOptions options)
    {
        var redis = options.Redis;
        if (!string.IsNullOrWhiteSpace(redis.Url))
        {
            // Binding copied Sse:Redis:Url in; a different value was set in code, which wins.
            redis.UrlSource = redis.Url == configuration[UrlKey] ? UrlKey : "SseOptions.Redis.Url";
        }
        else if (redis.Configuration is null && redis.ConnectionFactory is null)
        {
            redis.Url = null;
            foreach (var key in (ReadOnlySpan<string>)["SSE_REDIS_URL", "REDIS_URL"])
            {
                if (configuration[key] is { } value && !string.IsNullOrWhiteSpace(value))
                {
                    redis.Url = value;
                    redis.UrlSource = key;
                    break;
                }
            }
        }

        if (!string.IsNullOrWhiteSpace(redis.Url))
        {
            redis.ParsedUrl = RedisUrl.TryParse(redis.Url, out var parsed, out var error) ? parsed : null;
            redis.UrlError = error is null ? null : $"{error}. Value: '{RedisUrl.MaskPassword(redis.Url)}'";
        }
    }
}
