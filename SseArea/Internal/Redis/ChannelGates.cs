namespace SseArea.Internal.Redis;

/// <summary>
/// One gate per channel: changes to a channel's subscription are serialised, different channels' are not, so a
/// SUBSCRIBE that Redis is slow to confirm holds up only the streams of its own channel. A channel's gate exists
/// while someone is in it or waits for it.
/// </summary>
internal sealed class ChannelGates
{
    private readonly Dictionary<string, Gate> _gates = new(StringComparer.Ordinal);

    /// <summary>Waits for the channel's gate; disposing the result lets the next one in.</summary>
    public async Task<IDisposable> EnterAsync(string channel, CancellationToken cancellationToken = default)
    {
        Gate gate;
        lock (_gates)
        {
            if (!_gates.TryGetValue(channel, out gate!))
            {
                _gates[channel] = gate = new Gate(this, channel);
            }

            gate.Users++;
        }

        try
        {
            await gate.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(gate);
            throw;
        }

        return new Entered(gate);
    }

    private void Leave(Gate gate)
    {
        lock (_gates)
        {
            if (--gate.Users == 0)
            {
                _gates.Remove(gate.Channel);
            }
        }
    }

    // The semaphore's wait handle is never asked for: there is nothing to dispose.
#pragma warning disable CA1001
    private sealed class Gate(ChannelGates gates, string channel)
#pragma warning restore CA1001
    {
        public ChannelGates Gates { get; } = gates;

        public string Channel { get; } = channel;

        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Entered(Gate gate) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Semaphore.Release();
                gate.Gates.Leave(gate);
            }
        }
    }
}
