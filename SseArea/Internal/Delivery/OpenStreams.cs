using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SseArea.Internal.Delivery;

/// <summary>
/// The streams this process is writing, with one timer for all: every quarter of <see cref="SseOptions.HeartbeatInterval"/>
/// each stream silent for a whole interval queues a heartbeat (so within 1.25 intervals, without a timer per stream).
/// A tick looks at one slice of the streams: all at once, streams opened together would write their heartbeats in the
/// same instant, and Kestrel's buffer pool would grow to hold them all (2 000 streams: ~1 000 more 4 KiB blocks, kept).
/// When the application stops, every stream is stopped (one registration, not one per stream).
/// </summary>
internal sealed class OpenStreams : IDisposable, ISseStreams
{
    private const int MaxSlices = 16;

    private readonly Lock _gate = new();
    private readonly TimeSpan _interval;
    // At most 16, so that a tick comes at most every millisecond (timers are no finer).
    private readonly int _slices;
    private int _tick;
    private readonly CancellationTokenRegistration _stopping;
    private SseConnection?[] _streams = new SseConnection?[16];
    private int _count;
    private bool _stopped;
    private ITimer? _timer;

    public OpenStreams(IOptions<SseOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        _interval = options.Value.HeartbeatInterval;
        _slices = (int)Math.Clamp(_interval.Ticks / (4 * TimeSpan.TicksPerMillisecond), 1, MaxSlices);
        Time = time;
        _stopping = lifetime.ApplicationStopping.UnsafeRegister(static state => ((OpenStreams)state!).StopAll(), this);
    }

    /// <summary>The clock of heartbeats (a fake one in tests).</summary>
    public TimeProvider Time { get; }

    public int Count => Volatile.Read(ref _count);

    /// <summary>How many heartbeats the last tick queued (tests).</summary>
    internal int LastTickHeartbeats { get; private set; }

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

        var period = TimeSpan.FromTicks(Math.Max(1, _interval.Ticks / (4 * _slices)));
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
            var queued = 0;
            for (var i = (int)((uint)_tick++ % (uint)_slices); i < _count; i += _slices)
            {
                queued += _streams[i]!.Tick(now, _interval, Time) ? 1 : 0;
            }

            LastTickHeartbeats = queued;
        }
    }

    /// <summary>How many of this process's streams follow each channel.</summary>
    public Dictionary<string, int> CountByChannel()
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var stream in _streams.AsSpan(0, _count))
            {
                foreach (var channel in stream!.Channels)
                {
                    counts[channel] = counts.GetValueOrDefault(channel) + 1;
                }
            }
        }

        return counts;
    }

    public int EndStreams(Func<System.Security.Claims.ClaimsPrincipal, bool> user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var ended = 0;
        lock (_gate)
        {
            foreach (var stream in _streams.AsSpan(0, _count))
            {
                if (stream!.User is { } principal && user(principal))
                {
                    stream.Stop();
                    ended++;
                }
            }
        }

        return ended;
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
