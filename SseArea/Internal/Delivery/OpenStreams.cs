using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SseArea.Internal.Delivery;

/// <summary>
/// The streams this process is writing, with one timer for all: every quarter of <see cref="SseOptions.HeartbeatInterval"/>
/// each stream silent for a whole interval queues a heartbeat (so within 1.25 intervals, without a timer per stream).
/// When the application stops, every stream is stopped (one registration, not one per stream).
/// </summary>
internal sealed class OpenStreams : IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeSpan _interval;
    private readonly CancellationTokenRegistration _stopping;
    private SseConnection?[] _streams = new SseConnection?[16];
    private int _count;
    private bool _stopped;
    private ITimer? _timer;

    public OpenStreams(IOptions<SseOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        _interval = options.Value.HeartbeatInterval;
        Time = time;
        _stopping = lifetime.ApplicationStopping.UnsafeRegister(static state => ((OpenStreams)state!).StopAll(), this);
    }

    /// <summary>The clock of heartbeats (a fake one in tests).</summary>
    public TimeProvider Time { get; }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Adds a stream about to pump; once the application is stopping, stops it instead.</summary>
    public void Add(SseConnection stream)
    {
        lock (_gate)
        {
            if (!_stopped)
            {
                if (_count == _streams.Length)
                {
                    Array.Resize(ref _streams, _count * 2);
                }

                stream.Slot = _count;
                _streams[_count++] = stream;
                _timer ??= StartTimer();
                return;
            }
        }

        stream.Stop();
    }

    /// <summary>Removes a stream that ended: the last one takes its slot (no copy, no scan).</summary>
    public void Remove(SseConnection stream)
    {
        lock (_gate)
        {
            var slot = stream.Slot;
            if (slot < 0 || slot >= _count || !ReferenceEquals(_streams[slot], stream))
            {
                return;
            }

            var last = _streams[--_count]!;
            _streams[slot] = last;
            last.Slot = slot;
            _streams[_count] = null;
            stream.Slot = -1;
            if (_streams.Length > 1024 && _count < _streams.Length / 4)
            {
                Array.Resize(ref _streams, _streams.Length / 2);
            }
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        lock (_gate)
        {
            _timer?.Dispose();
        }
    }

    private ITimer? StartTimer()
    {
        if (_interval <= TimeSpan.Zero)
        {
            return null;
        }

        var period = TimeSpan.FromTicks(Math.Max(1, _interval.Ticks / 4));
        // The timer must not capture (and keep alive) the execution context of the request that opened the first stream.
        var flow = ExecutionContext.IsFlowSuppressed() ? default(AsyncFlowControl?) : ExecutionContext.SuppressFlow();
        try
        {
            return Time.CreateTimer(static state => ((OpenStreams)state!).Tick(), this, period, period);
        }
        finally
        {
            flow?.Undo();
        }
    }

    private void Tick()
    {
        lock (_gate)
        {
            var now = Time.GetTimestamp();
            foreach (var stream in _streams.AsSpan(0, _count))
            {
                stream!.Tick(now, _interval, Time);
            }
        }
    }

    private void StopAll()
    {
        lock (_gate)
        {
            _stopped = true;
            foreach (var stream in _streams.AsSpan(0, _count))
            {
                stream!.Stop();
            }
        }
    }
}
