using System.Collections.Concurrent;
using SseArea.Internal.Wire;

namespace SseArea.Internal.Fanout;

/// <summary>
/// The local listeners of each channel: the in-process fan-out both brokers use. Delivery reads an
/// immutable snapshot without locking; adding and removing publish a new snapshot under a lock.
/// </summary>
/// <remarks>
/// Adding and removing cost amortised O(1) copies, not a copy of the whole list each (a ramp of N clients
/// was O(N²)). A snapshot is a slot array with spare room and a length: adding fills the next slot, beyond
/// every published snapshot's length; removing clears the listener's slot (an older snapshot being delivered
/// skips it) and compacts the array once half its slots are empty. Finding the slot is a scan (about a
/// microsecond per 1 000 listeners, no copy).
/// </remarks>
internal sealed class ListenerRegistry
{
    private readonly ConcurrentDictionary<string, Snapshot> _channels = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Adds a listener; returns <see langword="true"/> when it is the channel's first.</summary>
    public bool Add(string channel, ISseListener listener)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channel, out var current))
            {
                var slots = new ISseListener?[4];
                slots[0] = listener;
                _channels[channel] = new Snapshot(slots, 1, 1);
                return true;
            }

            if (current.Length < current.Slots.Length)
            {
                // Beyond every published snapshot's length: nobody reads this slot yet.
                current.Slots[current.Length] = listener;
                _channels[channel] = new Snapshot(current.Slots, current.Length + 1, current.Live + 1);
                return false;
            }

            var grown = Compact(current, Math.Max(4, current.Live * 2));
            grown.Slots[grown.Length] = listener;
            _channels[channel] = new Snapshot(grown.Slots, grown.Length + 1, grown.Live + 1);
            return false;
        }
    }

    /// <summary>Removes a listener; returns <see langword="true"/> when the channel has none left.</summary>
    public bool Remove(string channel, ISseListener listener)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channel, out var current))
            {
                return false;
            }

            var index = Array.IndexOf(current.Slots, listener, 0, current.Length);
            if (index < 0)
            {
                return false;
            }

            if (current.Live == 1)
            {
                _channels.TryRemove(channel, out _);
                return true;
            }

            current.Slots[index] = null;
            var next = new Snapshot(current.Slots, current.Length, current.Live - 1);
            _channels[channel] = next.Live * 2 < next.Length && next.Length > 8 ? Compact(next, next.Live * 2) : next;
            return false;
        }
    }

    /// <summary>Hands the frame to every listener of the channel; returns how many took it and how many refused it.</summary>
    public int Deliver(string channel, SseFrame frame, out int refused) => Deliver(channel, new ReadOnlySpan<SseFrame>(in frame), out refused);

    /// <summary>
    /// Hands the frames (events of the channel, in order) to every listener of the channel, all of them to one listener
    /// before the next; returns how many deliveries were taken and how many refused.
    /// </summary>
    public int Deliver(string channel, ReadOnlySpan<SseFrame> frames, out int refused)
    {
        refused = 0;
        if (frames.IsEmpty || !_channels.TryGetValue(channel, out var snapshot))
        {
            return 0;
        }

        int delivered = 0, offered = 0;
        foreach (var listener in snapshot.Slots.AsSpan(0, snapshot.Length))
        {
            if (listener is not null)
            {
                offered += frames.Length;
                delivered += listener.TryWrite(frames);
            }
        }

        refused = offered - delivered;
        return delivered;
    }

    public int Count(string channel) => _channels.TryGetValue(channel, out var snapshot) ? snapshot.Live : 0;

    public ICollection<string> Channels => _channels.Keys;

    /// <summary>The live listeners of <paramref name="snapshot"/>, in order, in a new array of <paramref name="capacity"/> slots.</summary>
    private static Snapshot Compact(Snapshot snapshot, int capacity)
    {
        var slots = new ISseListener?[Math.Max(capacity, snapshot.Live + 1)];
        var length = 0;
        foreach (var listener in snapshot.Slots.AsSpan(0, snapshot.Length))
        {
            if (listener is not null)
            {
                slots[length++] = listener;
            }
        }

        return new Snapshot(slots, length, length);
    }

    /// <summary>What delivery reads: <paramref name="Length"/> slots, <paramref name="Live"/> of them in use; none is ever refilled.</summary>
    private sealed record Snapshot(ISseListener?[] Slots, int Length, int Live);
}
