using SseArea.Internal.Wire;

namespace SseArea.Internal.Fanout;

/// <summary>Carries events from publishers to the listeners of a channel, in this process or across servers.</summary>
internal interface ISseBroker : IAsyncDisposable
{
    /// <summary>What the broker is, for the startup log line (no secrets).</summary>
    string Description { get; }

    /// <summary>
    /// <see langword="null"/> when the broker can take events now; otherwise why not (for the health check). A broker
    /// that is connected but does not answer in time (a frozen Redis) has a problem too.
    /// </summary>
    Task<string?> ProblemAsync(CancellationToken cancellationToken);

    /// <summary>Starts connecting, without waiting for the connection. Called once at application start.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Publishes an event; returns the number of receivers the broker reports.</summary>
    /// <exception cref="SseBrokerException">The broker could not take the event.</exception>
    Task<long> PublishAsync(string channel, SseMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// Adds <paramref name="listener"/> to <paramref name="channels"/>: once the task completes, it receives every
    /// event published afterwards, and the result's replay holds what the client missed since
    /// <paramref name="lastEventId"/> (history on). Disposing the result removes the listener.
    /// </summary>
    /// <exception cref="SseBrokerException">The broker could not subscribe.</exception>
    Task<ISseSubscription> SubscribeAsync(IReadOnlyList<string> channels, ISseListener listener, string? lastEventId, CancellationToken cancellationToken);

    /// <summary>Where the broker's servers are and whether each is connected (Redis: each master); none in memory.</summary>
    Task<IReadOnlyList<SseBrokerEndpoint>> EndpointsAsync();

    /// <summary>How many listeners follow the channel: across servers for Redis, in this process in memory.</summary>
    /// <exception cref="SseBrokerException">The broker could not be asked.</exception>
    Task<long> CountSubscribersAsync(string channel, CancellationToken cancellationToken);
}

/// <summary>A server of the broker (a Redis, or a master of a Redis Cluster) and whether this process is connected to it.</summary>
internal sealed record SseBrokerEndpoint(string Endpoint, bool Connected);

/// <summary>Something that receives formatted events: a stream connection.</summary>
internal interface ISseListener
{
    /// <summary>Hands over one shared event; must not block. <see langword="false"/> when the listener did not take it.</summary>
    bool TryWrite(SseFrame frame);

    /// <summary>
    /// Hands over events of one channel, in order; must not block. Returns how many the listener took: it takes none
    /// after one it did not take. A stream takes them all at once, so its client gets them in one write.
    /// </summary>
    int TryWrite(ReadOnlySpan<SseFrame> frames)
    {
        var taken = 0;
        while (taken < frames.Length && TryWrite(frames[taken]))
        {
            taken++;
        }

        return taken;
    }
}

/// <summary>A broker subscription: disposing it removes the listener; <see cref="Replay"/> is what to send first.</summary>
internal interface ISseSubscription : IAsyncDisposable
{
    SseReplay Replay { get; }
}
