using System.Collections.Concurrent;
using System.Globalization;
using SseArea.Internal.Diagnostics;
using SseArea.Internal.Wire;

namespace SseArea.Internal.Fanout.InMemory;

/// <summary>
/// The embedded broker: events reach the listeners of this process only. With history on, each channel
/// published to keeps its last events for the life of the process; an event's id is then its publisher's
/// id or, when it has none, the channel's own count of events (1, 2, 3, ...).
/// </summary>
internal sealed class InMemorySseBroker(int historyLength = 0, SseMetrics? metrics = null) : ISseBroker
{
    private readonly ListenerRegistry _listeners = new();
    private readonly ConcurrentDictionary<string, ChannelHistory> _histories = new(StringComparer.Ordinal);
    // Taken to create a channel's history (on its first publish) and by subscribers of a channel that
    // has none yet: such a subscriber is in place before the history exists, so it gets every event kept.
    private readonly Lock _creation = new();
    private long _sequence;

    public Task<IReadOnlyList<SseBrokerEndpoint>> EndpointsAsync() => Task.FromResult<IReadOnlyList<SseBrokerEndpoint>>([]);

    public string Description => "in-memory (this process only; set Sse:Redis:Url, SSE_REDIS_URL or REDIS_URL to scale out over Redis)";

    public Task<string?> ProblemAsync(CancellationToken cancellationToken) => Task.FromResult<string?>(null);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<long> PublishAsync(string channel, SseMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        int delivered, refused;
        if (historyLength == 0)
        {
            delivered = _listeners.Deliver(channel, SseWriter.Event(message, channel), out refused);
        }
        else
        {
            var history = HistoryToPublish(channel);
            lock (history)
            {
                // Numbered, kept and delivered under the channel's lock: history order is delivery order, and a
                // subscriber reads the history and starts receiving at one instant. The sequence (every channel's)
                // only orders a replay of several channels; the id is counted per channel.
                var sequence = Interlocked.Increment(ref _sequence);
                if (string.IsNullOrEmpty(message.Id))
                {
                    message = message with { Id = history.NextNumber().ToString(CultureInfo.InvariantCulture) };
                }

                var frame = SseWriter.Event(message, channel);
                history.Add(sequence, frame);
                delivered = _listeners.Deliver(channel, frame, out refused);
            }
        }

        metrics?.EventPublished();
        metrics?.EventFannedOut(delivered, refused);
        return Task.FromResult((long)delivered);
    }

    public Task<ISseSubscription> SubscribeAsync(IReadOnlyList<string> channels, ISseListener listener, string? lastEventId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (historyLength == 0)
        {
            foreach (var channel in channels)
            {
                _listeners.Add(channel, listener);
            }

            return Task.FromResult<ISseSubscription>(new Subscription(_listeners, channels, listener, SseReplay.None));
        }

        var wanted = lastEventId is null ? null : SseCursor.Decode(lastEventId, channels.Count);
        var cursor = new Dictionary<string, string?>(StringComparer.Ordinal);
        var missed = new List<string>();
        var replay = new List<(long Sequence, SseFrame Frame)>();
        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            if (!_histories.TryGetValue(channel, out var history))
            {
                lock (_creation)
                {
                    if (!_histories.TryGetValue(channel, out history))
                    {
                        // Nothing published yet: no history for a mere subscriber; an id that is not the start is unknown.
                        _listeners.Add(channel, listener);
                        cursor[channel] = null;
                        if (lastEventId is not null && (wanted is null || (wanted[i] is not null && wanted[i] != SseCursor.Live)))
                        {
                            missed.Add(channel);
                        }

                        continue;
                    }
                }
            }

            lock (history)
            {
                _listeners.Add(channel, listener);
                if (lastEventId is null || wanted?[i] == SseCursor.Live)
                {
                    cursor[channel] = history.LastId;
                }
                else if (wanted is not null && history.TryReadAfter(wanted[i], replay))
                {
                    cursor[channel] = wanted[i];
                }
                else
                {
                    missed.Add(channel);
                    cursor[channel] = history.LastId;
                }
            }
        }

        // One sequence across channels: the replay keeps the order the events were published in.
        replay.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var frames = replay.ConvertAll(entry => entry.Frame);
        return Task.FromResult<ISseSubscription>(new Subscription(_listeners, channels, listener, new SseReplay(frames, missed, cursor)));
    }

    public Task<long> CountSubscribersAsync(string channel, CancellationToken cancellationToken)
        => Task.FromResult((long)_listeners.Count(channel));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>The number of channels that keep a history (tests).</summary>
    internal int HistoryCount => _histories.Count;

    private ChannelHistory HistoryToPublish(string channel)
    {
        if (_histories.TryGetValue(channel, out var history))
        {
            return history;
        }

        lock (_creation)
        {
            return _histories.GetOrAdd(channel, static (_, length) => new ChannelHistory(length), historyLength);
        }
    }

    private sealed class Subscription(ListenerRegistry listeners, IReadOnlyList<string> channels, ISseListener listener, SseReplay replay) : ISseSubscription
    {
        private int _disposed;

        public SseReplay Replay => replay;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                foreach (var channel in channels)
                {
                    listeners.Remove(channel, listener);
                }
            }

            return ValueTask.CompletedTask;
        }
    }
}
