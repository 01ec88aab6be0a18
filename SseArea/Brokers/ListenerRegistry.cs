using System.Collections.Concurrent;
using SseArea.Streaming;

namespace SseArea.Brokers;

/// <summary>
/// The local listeners of each channel: the in-process fan-out both brokers use. Delivery reads an
/// immutable array without locking; adding and removing swap in a new array under a lock.
/// </summary>
internal sealed class ListenerRegistry
{
    private readonly ConcurrentDictionary<string, ISseListener[]> _channels = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>Adds a listener; returns <see langword="true"/> when it is the channel's first.</summary>
    public bool Add(string channel, ISseListener listener)
    {
        lock (_gate)
        {
            var current = _channels.GetValueOrDefault(channel, []);
            _channels[channel] = [.. current, listener];
            return current.Length == 0;
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

            var index = Array.IndexOf(current, listener);
            if (index < 0)
            {
                return false;
            }

            if (current.Length == 1)
            {
                _channels.TryRemove(channel, out _);
                return true;
            }

            var next = new ISseListener[current.Length - 1];
            current.AsSpan(0, index).CopyTo(next);
            current.AsSpan(index + 1).CopyTo(next.AsSpan(index));
            _channels[channel] = next;
            return false;
        }
    }

    /// <summary>Hands the same frame to every listener of the channel; returns how many took it.</summary>
    public int Deliver(string channel, SseFrame frame) => Deliver(channel, frame, out _);

    /// <summary>Hands the same frame to every listener of the channel; returns how many took it and how many refused it.</summary>
    public int Deliver(string channel, SseFrame frame, out int refused)
    {
        refused = 0;
        if (!_channels.TryGetValue(channel, out var listeners))
        {
            return 0;
        }

        var delivered = 0;
        foreach (var listener in listeners)
        {
            if (listener.TryWrite(frame))
            {
                delivered++;
            }
            else
            {
                refused++;
            }
        }

        return delivered;
    }

    /// <summary>How many listeners the channel has in this process.</summary>
    public int Count(string channel) => _channels.TryGetValue(channel, out var listeners) ? listeners.Length : 0;

    /// <summary>The channels that have at least one listener in this process.</summary>
    public ICollection<string> Channels => _channels.Keys;
}
