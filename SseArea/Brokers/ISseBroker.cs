namespace SseArea.Brokers;

/// <summary>Carries events from publishers to the listeners of a channel, in this process or across servers.</summary>
internal interface ISseBroker : IAsyncDisposable
{
    /// <summary>What the broker is, for the startup log line (no secrets).</summary>
    string Description { get; }

    /// <summary>Starts connecting, without waiting for the connection. Called once at application start.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Publishes an event; returns the number of receivers the broker reports.</summary>
    /// <exception cref="SseBrokerException">The broker could not take the event.</exception>
    Task<long> PublishAsync(string channel, SseMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="listener"/> to every channel in <paramref name="channels"/>. When the task
    /// completes, the listener receives every event published afterwards. Disposing the result removes it.
    /// </summary>
    /// <exception cref="SseBrokerException">The broker could not subscribe.</exception>
    Task<IAsyncDisposable> SubscribeAsync(IReadOnlyList<string> channels, ISseListener listener, CancellationToken cancellationToken);
}

/// <summary>Something that receives formatted events: a stream connection.</summary>
internal interface ISseListener
{
    /// <summary>
    /// Hands over one event's bytes (shared by every listener: never modified). Must not block;
    /// returns <see langword="false"/> when the listener did not take it.
    /// </summary>
    bool TryWrite(ReadOnlyMemory<byte> frame);
}
