using StackExchange.Redis;

namespace SseArea.Internal.Redis;

/// <summary>
/// The Redis keys SseArea keeps per channel. Each carries a hash tag, so on Redis Cluster a channel's keys share
/// one slot, which, when the name allows it, is the channel's own as a shard channel (<c>SPUBLISH</c>): the history
/// script publishes where it writes.
/// </summary>
/// <remarks>
/// A channel without braces: <c>sse:{&lt;channel&gt;}:history</c>. With braces: <c>sse:{&lt;tag&gt;}:history:&lt;channel&gt;</c>,
/// the tag being the part of the name Redis hashes, any <c>}</c> in it replaced by <c>)</c>; the whole name follows,
/// so no two channels share a key.
/// </remarks>
internal static class RedisKeys
{
    /// <summary>The counter that orders events across channels on a single Redis (not on a cluster).</summary>
    public static readonly RedisKey Sequence = "sse:sequence";

    /// <summary><see cref="Sequence"/>, or with a channel prefix (<c>Sse:Redis:ChannelPrefix</c>) <c>sse:{&lt;prefix&gt;}:sequence</c>.</summary>
    public static RedisKey SequenceOf(string prefix) => prefix.Length == 0 ? Sequence : $"sse:{{{prefix}}}:sequence";

    /// <summary>The capped Redis Stream that holds a channel's history.</summary>
    public static RedisKey History(string channel) => Key(channel, "history");

    /// <summary>The hash that finds a history entry by its publisher's id (an event published with an id).</summary>
    public static RedisKey Ids(string channel) => Key(channel, "ids");

    /// <summary>The hash of each server's subscriber count of a channel.</summary>
    public static RedisKey Subscribers(string channel) => Key(channel, "subscribers");

    /// <summary>The part of a channel name Redis hashes: between the first <c>{</c> and the next <c>}</c> if not empty, else all of it.</summary>
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

    /// <summary>Whether the channel's keys share its slot: not when its hashed part holds a <c>}</c>, which no hash tag can name.</summary>
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
