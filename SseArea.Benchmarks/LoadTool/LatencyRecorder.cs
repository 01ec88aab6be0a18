using System.Diagnostics;

namespace SseArea.LoadTool;

/// <summary>
/// Publish→receive latencies of one phase, recorded without contention: one histogram per thread,
/// merged when the phase is over.
/// </summary>
internal sealed class LatencyRecorder : IDisposable
{
    private static readonly double MicrosecondsPerTick = 1_000_000.0 / Stopwatch.Frequency;
    private readonly ThreadLocal<LatencyHistogram> _perThread = new(() => new LatencyHistogram(), trackAllValues: true);

    public void Record(long publishedTimestamp, long receivedTimestamp) =>
        _perThread.Value!.Record((long)((receivedTimestamp - publishedTimestamp) * MicrosecondsPerTick));

    /// <summary>All threads' values; call once recording has stopped.</summary>
    public LatencyHistogram Merge()
    {
        var all = new LatencyHistogram();
        foreach (var histogram in _perThread.Values)
        {
            all.Add(histogram);
        }

        return all;
    }

    public void Dispose() => _perThread.Dispose();
}
