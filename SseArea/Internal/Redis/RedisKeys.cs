using StackExchange.Redis;

namespace SseArea.Internal.Redis;

/// <summary>
/// The Redis key of each thing SseArea keeps per channel, built in one place. Every key of a channel
/// carries a hash tag, so on Redis Cluster a channel's keys share one slot; when the channel's name
/// allows it, that is also the slot of the channel itself as a shard channel (<c>SPUBLISH</c>), so the
/// history script can publish where it writes.
/// </summary>
/// <remarks>
/// A channel without braces: <c>sse:{&lt;channel&gt;}:history</c>. A channel with braces:
/// <c>sse:{&lt;tag&gt;}:history:&lt;channel&gt;</c>, where the tag is the part of the name Redis hashes
/// (Redis's own hash-tag rule applied to the channel name), with any <c>}</c> in it replaced by <c>)</c>;
/// the whole name follows, so no two channels share a key.
/// </remarks>
internal static class RedisKeys
{
    /// <summary>The counter that orders every event kept, across channels, on a single Redis (not on a cluster).</summary>
    public static readonly RedisKey Sequence = "sse:sequence";

    /// <summary>The capped Redis Stream that holds a channel's history.</summary>
    public static RedisKey History(string channel) => Key(channel, "history");

    /// <summary>The hash of each server's subscriber count of a channel.</summary>
    public static RedisKey Subscribers(string channel) => Key(channel, "subscribers");

    /// <summary>
    /// The part of a channel name Redis hashes to place it on a slot: the text between the first
    /// <c>{</c> and the first <c>}</c> after it when that text is not empty, otherwise the whole name.
    /// </summary>
    public static string HashPart(string channel)
    {
        var open = channel.IndexOf('{', StringComparison.Ordinal);
        if (open >= 0)
        {
            var close = channel.IndexOf('}', open + 1);
            if (close > open + 1)
            {
                return channel[(open + 1)..close];
            }
        }

        return channel;
    }

    /// <summary>
    /// Whether the channel's keys hash to the channel's own slot. False only when the part of the
    /// name Redis hashes holds a <c>}</c> (e.g. <c>a}b</c>, <c>{}x}</c>): no hash tag can name that text.
    /// </summary>
    public static bool SharesSlotWithChannel(string channel) => !HashPart(channel).Contains('}', StringComparison.Ordinal);

    private static RedisKey Key(string channel, string kind)
    {
        if (channel.AsSpan().IndexOfAny('{', '}') < 0)
        {
            return $"sse:{{{channel}}}:{kind}";
        }

        var tag = HashPart(channel).Replace('}', ')');
        return $"sse:{{{tag}}}:{kind}:{channel}";
    }
}
