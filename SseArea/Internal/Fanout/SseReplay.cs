using SseArea.Internal.Wire;

namespace SseArea.Internal.Fanout;

/// <summary>What a subscription sends before live events: missed events, channels whose missed events are gone, positions.</summary>
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

    /// <summary>Per channel, the last event id the client has once the replay is written; <see langword="null"/> when history is off.</summary>
    public IReadOnlyDictionary<string, string?>? Cursor { get; } = cursor;

    /// <summary>Replayed frames that may also arrive live (Redis reads history after SUBSCRIBE): <see cref="SseResume"/> skips those.</summary>
    public IReadOnlyList<SseFrame> Overlap { get; } = overlap ?? [];

    /// <summary>
    /// This replay when it holds at most <paramref name="maxFrames"/> events of <paramref name="maxBytes"/> bytes in all; otherwise one that skips them and
    /// reports their channels missed, at the position of their last skipped event. Frames that may also arrive
    /// live are still written, so that their live copies are recognised and no position goes back.
    /// </summary>
    public SseReplay Bounded(int maxFrames, long maxBytes = long.MaxValue)
    {
        if ((Frames.Count <= maxFrames && Frames.Sum(frame => (long)frame.Bytes.Length) <= maxBytes) || Cursor is null)
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
