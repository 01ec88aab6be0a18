using SseArea.Streaming;

namespace SseArea.Brokers;

/// <summary>The embedded broker: events reach the listeners of this process only.</summary>
internal sealed class InMemorySseBroker : ISseBroker
{
    private readonly ListenerRegistry _listeners = new();

    public string Description => "in-memory (this process only; set Sse:RedisUrl, SSE_REDIS_URL or REDIS_URL to scale out over Redis)";

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<long> PublishAsync(string channel, SseMessage message, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var frame = SseEventFormatter.Format(message);
        return Task.FromResult((long)_listeners.Deliver(channel, frame));
    }

    public Task<IAsyncDisposable> SubscribeAsync(IReadOnlyList<string> channels, ISseListener listener, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        foreach (var channel in channels)
        {
            _listeners.Add(channel, listener);
        }

        return Task.FromResult<IAsyncDisposable>(new Subscription(_listeners, channels, listener));
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private sealed class Subscription(ListenerRegistry listeners, IReadOnlyList<string> channels, ISseListener listener) : IAsyncDisposable
    {
        private int _disposed;

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
