using SseArea.Internal.Wire;

namespace SseArea.Internal.Fanout.InMemory;

/// <summary>The last events of one channel, oldest first, at most <c>capacity</c>; the caller holds the instance's lock.</summary>
internal sealed class ChannelHistory(int capacity)
{
    private readonly Queue<(long Sequence, SseFrame Frame)> _events = new();
    private long _evicted;

    private long _numbered;

    public string? LastId { get; private set; }

    /// <summary>The next id for an event published without one: counted per channel, so one channel's ids say nothing of another's traffic.</summary>
    public long NextNumber() => ++_numbered;

    public void Add(long sequence, SseFrame frame)
    {
        if (_events.Count == capacity)
        {
            _events.Dequeue();
            _evicted++;
        }

        _events.Enqueue((sequence, frame));
        LastId = frame.Id;
    }

    /// <summary>
    /// Adds the events after the newest one whose id is <paramref name="lastId"/> (<see langword="null"/>: all, if
    /// none was ever dropped); <see langword="false"/> when the id is not in the history (unknown, or dropped).
    /// </summary>
    public bool TryReadAfter(string? lastId, List<(long, SseFrame)> into)
    {
        var events = _events.ToArray();
        var from = lastId is null ? 0 : Array.FindLastIndex(events, e => string.Equals(e.Frame.Id, lastId, StringComparison.Ordinal)) + 1;
        if (lastId is null ? _evicted > 0 : from == 0)
        {
            return false;
        }

        into.AddRange(events.AsSpan(from));
        return true;
    }
}
