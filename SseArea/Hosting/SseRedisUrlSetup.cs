using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace SseArea.Hosting;

/// <summary>
/// Completes <see cref="SseOptions.RedisUrl"/> the way Flask-SSE reads its config: the first
/// non-empty of the value set in code, <c>Sse:RedisUrl</c>, <c>SSE_REDIS_URL</c>, <c>REDIS_URL</c>.
/// Remembers which key gave the value, so a malformed one is reported under its own name.
/// </summary>
internal sealed class SseRedisUrlSetup(IConfiguration configuration) : IPostConfigureOptions<SseOptions>
{
    internal const string SectionKey = SseOptions.SectionName + ":RedisUrl";
    internal const string SseRedisUrlKey = "SSE_REDIS_URL";
    internal const string RedisUrlKey = "REDIS_URL";

    public void PostConfigure(string? name, SseOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.RedisUrl))
        {
            // Binding copied Sse:RedisUrl in; a different value was set in code, which wins.
            options.RedisUrlSource = options.RedisUrl == configuration[SectionKey] ? SectionKey : "SseOptions.RedisUrl";
            return;
        }

        foreach (var key in (ReadOnlySpan<string>)[SseRedisUrlKey, RedisUrlKey])
        {
            if (configuration[key] is { } value && !string.IsNullOrWhiteSpace(value))
            {
                options.RedisUrl = value;
                options.RedisUrlSource = key;
                return;
            }
        }

        options.RedisUrl = null;
    }
}
