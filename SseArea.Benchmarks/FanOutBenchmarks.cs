using BenchmarkDotNet.Attributes;
using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;

namespace SseArea.Benchmarks;

/// <summary>
/// Fanning one formatted event out to N in-process listeners through <see cref="ListenerRegistry"/>.
/// Target: Allocated does not grow with N (zero bytes per listener).
/// </summary>
/// <remarks>
/// Kept thin on purpose: it depends only on <see cref="ListenerRegistry.Deliver"/> and
/// <see cref="ISseListener"/>, so a change of their shape touches the two members below.
/// </remarks>
[MemoryDiagnoser]
public class FanOutBenchmarks
{
    protected const string Channel = "bench";
    // Formatted once, as the brokers do: the same frame object goes to every listener.
    private readonly SseFrame _frame = new("event:greeting\ndata:{\"message\": \"Hello!\"}\n\n"u8.ToArray(), Channel);
    /// <summary>The channel's listeners, set up for each <see cref="Listeners"/> value.</summary>
    private protected ListenerRegistry Registry { get; private set; } = null!;

    [Params(1, 100, 10_000)]
    public int Listeners { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Registry = new ListenerRegistry();
        for (var i = 0; i < Listeners; i++)
        {
            Registry.Add(Channel, new KeepLastListener());
        }
    }

    /// <summary>One event to every listener of the channel; returns how many took it.</summary>
    [Benchmark]
    public int Deliver() => Registry.Deliver(Channel, _frame, out _);

    /// <summary>A listener that takes every frame and keeps a reference to the last (no queue, no copy).</summary>
    private sealed class KeepLastListener : ISseListener
    {
        private SseFrame? _last;

        public bool TryWrite(SseFrame frame)
        {
            _last = frame;
            return _last is not null;
        }
    }
}
