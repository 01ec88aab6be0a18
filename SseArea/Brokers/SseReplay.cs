using SseArea.Streaming;

namespace SseArea.Brokers;

/// <summary>
/// What a new subscription must send before live events: the events a reconnecting client missed
/// (in order), the channels whose missed events are gone, and where the client stands on each channel.
/// </summary>
internal sealed class SseReplay(
    IReadOnlyList<SseFrame> frames,
    IReadOnlyList<string> missedChannels,
    IReadOnlyDictionary<string, string?>? cursor,
    IReadOnlyList<SseFrame>? overlap = null)
{
    /// <summary>Nothing to replay and no history: live events only.</summary>
    public static SseReplay None { get; } = new([], [], null);

    /// <summary>The missed events, oldest first; written before any live event.</summary>
    public IReadOnlyList<SseFrame> Frames { get; } = frames;

    /// <summary>Channels whose missed events are no longer (or were never) in the history.</summary>
    public IReadOnlyList<string> MissedChannels { get; } = missedChannels;

    /// <summary>
    /// Per channel, the id of the last event the client has once <see cref="Frames"/> and the
    /// missed notice are written (<see langword="null"/>: none yet); <see langword="null"/> when history is off.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? Cursor { get; } = cursor;

    /// <summary>
    /// The replayed frames that may also arrive live (Redis: the history is read after SUBSCRIBE, on
    /// another connection), oldest first; per channel they are the newest replayed ones. The
    /// connection skips a live frame equal to one of them (same id and bytes) until the first live
    /// frame of the channel that is not. Empty when nothing can overlap (in memory).
    /// </summary>
    public IReadOnlyList<SseFrame> Overlap { get; } = overlap ?? [];

    /// <summary>
    /// This replay when it holds at most <paramref name="maxFrames"/> events; otherwise one that skips
    /// them: each channel that had events to replay is reported missed (the client reloads its state),
    /// at the position of its last skipped event. Frames that may also arrive live are still written,
    /// so that their live copies are recognised and no position goes back.
    /// </summary>
    public SseReplay Bounded(int maxFrames)
    {
        if (Frames.Count <= maxFrames || Cursor is null)
        {
            return this;
        }

        var overlapping = new HashSet<SseFrame>(Overlap, ReferenceEqualityComparer.Instance);
        var cursor = new Dictionary<string, string?>(Cursor, StringComparer.Ordinal);
        var missed = new List<string>(MissedChannels);
        foreach (var frame in Frames)
        {
            if (frame.Channel is { } channel && !overlapping.Contains(frame))
            {
                cursor[channel] = frame.Id;
                if (!missed.Contains(channel, StringComparer.Ordinal))
                {
                    missed.Add(channel);
                }
            }
        }

        return new SseReplay([.. Frames.Where(overlapping.Contains)], missed, cursor, Overlap);
    }
}

/// <summary>A broker subscription: disposing it removes the listener; <see cref="Replay"/> is what to send first.</summary>
internal interface ISseSubscription : IAsyncDisposable
{
    SseReplay Replay { get; }
}

/// <summary>The id a stream that follows several channels writes: one event id per channel, in the request's order.</summary>
internal static class SseCursor
{
    /// <summary>
    /// The position of a channel that had no event yet ("replay from the start"): what a single-channel
    /// stream writes as its first <c>id:</c> then. Neither broker assigns it (Redis entry ids start at
    /// <c>0-1</c>, the in-memory sequence at <c>1</c>).
    /// </summary>
    public const string Start = "0-0";

    /// <summary>
    /// Reads a Redis Stream entry id (<c>ms-seq</c>, both 64-bit numbers), the id the Redis broker
    /// assigns; such ids grow with each event of a channel, so two of them compare in publication order.
    /// </summary>
    public static bool TryParseEntryId(string? id, out (ulong Ms, ulong Seq) entry)
    {
        entry = default;
        var dash = id is null ? -1 : id.IndexOf('-', StringComparison.Ordinal);
        return dash > 0
            && IsDigits(id.AsSpan(0, dash)) && IsDigits(id.AsSpan(dash + 1))
            && ulong.TryParse(id.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out entry.Ms)
            && ulong.TryParse(id.AsSpan(dash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out entry.Seq);

        static bool IsDigits(ReadOnlySpan<char> text) => text.Length > 0 && !text.ContainsAnyExceptInRange('0', '9');
    }

    /// <summary>Each channel's id escaped (so ',' separates) and joined; a channel with no id yet is empty.</summary>
    public static string Encode(IReadOnlyList<string?> ids)
        => string.Join(',', ids.Select(id => string.IsNullOrEmpty(id) ? string.Empty : Uri.EscapeDataString(id)));

    /// <summary>
    /// Splits <paramref name="lastEventId"/> into one id per channel (<see langword="null"/>: none seen);
    /// a single-channel stream's id is the event id itself. <see langword="null"/> when it does not fit.
    /// </summary>
    public static string?[]? Decode(string lastEventId, int channelCount)
    {
        if (channelCount == 1)
        {
            return [lastEventId == Start ? null : lastEventId];
        }

        var parts = lastEventId.Split(',');
        if (parts.Length != channelCount)
        {
            return null;
        }

        var ids = new string?[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            // A malformed escape stays as it is: such an id matches no event and is reported as missed.
            ids[i] = parts[i].Length == 0 || parts[i] == Start ? null : Uri.UnescapeDataString(parts[i]);
        }

        return ids;
    }
}
