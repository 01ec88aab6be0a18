using System.Threading.Tasks.Sources;
using SseArea.Internal.Wire;

namespace SseArea.Internal.Delivery;

/// <summary>
/// One stream's bounded queue of shared frames. Writers append under a lock (a burst's frames at once); the pump takes the
/// whole batch at once (one lock per batch, not per frame as a <c>Channel&lt;T&gt;</c>). A writer that finds the queue full,
/// in frames or in bytes (queued plus what the pump wrote and has not flushed yet), cuts the stream off instead of letting
/// it grow: the pump writes what is queued, then ends. The queue locks itself (nothing outside its stream sees it).
/// </summary>
internal sealed class FrameQueue : IValueTaskSource<bool>
{
    private const int InitialSlots = 4;
    private const int IdleSlots = 64;

    private readonly int _capacity;
    private readonly long _byteBudget;
    private long _pendingBytes;
    private long _unflushedBytes;
    // Empty until the first event: an idle stream holds no queue arrays.
    private SseFrame?[] _pending = [];
    private SseFrame?[] _spare = [];
    private int _pendingCount;
    private bool _completed;
    private bool _canceled;
    private bool _readerWaiting;
    // Wakes the pump; reused for every wait (no allocation), continuations never run on the writer's thread.
    private ManualResetValueTaskSourceCore<bool> _signal = new() { RunContinuationsAsynchronously = true };
    // Made only when a flush has to wait (Ended); _endedFlag is set first: the second of flush and ending completes it.
    private TaskCompletionSource? _ended;
    private int _endedFlag;
    private int _overflowed;

    public FrameQueue(int capacity, long byteBudget = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(byteBudget, 1);
        _capacity = capacity;
        _byteBudget = byteBudget;
    }

    /// <summary><see langword="true"/> once a writer found the queue full and the stream was cut off.</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) != 0;

    /// <summary>Queues a frame; <see langword="false"/> when the queue is done, or full (which cuts the stream off).</summary>
    public bool TryWrite(SseFrame frame) => TryWrite(new ReadOnlySpan<SseFrame>(in frame)) == 1;

    /// <summary>
    /// Queues frames in order, under one lock and with one wake of the pump (a burst read from the broker at once reaches
    /// the client in one write). Returns how many were taken: fewer than given when the queue is done, or became full on
    /// one of them (which cuts the stream off: that one and the rest are not taken).
    /// </summary>
    public int TryWrite(ReadOnlySpan<SseFrame> frames)
    {
        bool wake;
        var taken = 0;
        lock (this)
        {
            if (_completed)
            {
                return 0; // overflowed already, or stopped: no new cut-off
            }

            foreach (var frame in frames)
            {
                // One frame is always taken when nothing waits: an event is never larger than the budget (Sse:MaxEventBytes).
                if (_pendingCount == _capacity
                    || (_pendingBytes + _unflushedBytes > 0 && _pendingBytes + _unflushedBytes + frame.Bytes.Length > _byteBudget))
                {
                    _completed = true;
                    Volatile.Write(ref _overflowed, 1);
                    break;
                }

                Append(frame, frames.Length - taken);
                taken++;
            }

            wake = TakeWaiter();
        }

        if (taken < frames.Length)
        {
            SignalEnded(); // a pump stuck writing to a client that stopped reading gives up
        }

        Wake(wake);
        return taken;
    }

    /// <summary>Queues a heartbeat unless the queue is full (the client is behind anyway) or done: never a cut-off.</summary>
    public void TryWriteHeartbeat()
    {
        bool wake;
        lock (this)
        {
            if (_completed || _pendingCount == _capacity)
            {
                return;
            }

            Append(SseWriter.Heartbeat, 1);
            wake = TakeWaiter();
        }

        Wake(wake);
    }

    /// <summary>Completes when frames are queued (<see langword="true"/>) or the queue is done and empty (<see langword="false"/>).</summary>
    public ValueTask<bool> WaitToReadAsync()
    {
        lock (this)
        {
            if (_canceled || _pendingCount > 0 || _completed)
            {
                return ValueTask.FromResult(!_canceled && _pendingCount > 0);
            }

            _signal.Reset();
            _readerWaiting = true;
            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    /// <summary>Takes everything queued, to write, flush and hand back (<see cref="Flushed"/>: until then its bytes count).</summary>
    public (SseFrame?[] Batch, int Count) TakeAll()
    {
        lock (this)
        {
            var batch = _pending;
            var count = _pendingCount;
            _pending = _spare;
            _pendingCount = 0;
            _unflushedBytes += _pendingBytes;
            _pendingBytes = 0;
            return (batch, count);
        }
    }

    /// <summary>The batch taken last reached the client's connection: its bytes no longer count against the budget, and its array is taken back.</summary>
    public void Flushed(SseFrame?[] batch, int count)
    {
        Array.Clear(batch, 0, count); // frames are not kept alive by a stale slot
        lock (this)
        {
            _spare = batch;
            _unflushedBytes = 0;
        }
    }

    /// <summary>Drops burst-sized arrays while the pump waits on an empty queue, so the stream does not keep them.</summary>
    public void ShrinkWhenIdle()
    {
        lock (this)
        {
            // Only while the pump waits: then it holds no batch, and both arrays are empty.
            if (_readerWaiting && _pendingCount == 0 && _spare.Length > IdleSlots)
            {
                _spare = [];
                _pending = [];
            }
        }
    }

    /// <summary>Ends the queue: what is queued is still taken, then the pump ends; a stuck flush gives up (<see cref="Ended"/>).</summary>
    public void Stop() => End(canceled: false);

    /// <summary>Ends the pump's wait at once (the client left).</summary>
    public void Cancel() => End(canceled: true);

    private void End(bool canceled)
    {
        bool wake;
        lock (this)
        {
            _completed |= !canceled;
            _canceled |= canceled;
            wake = TakeWaiter();
        }

        if (!canceled)
        {
            SignalEnded();
        }

        Wake(wake);
    }

    /// <summary>Completes when the stream must end even if a flush is stuck: the client fell behind, or <see cref="Stop"/>.</summary>
    public Task Ended()
    {
        var ended = Volatile.Read(ref _ended);
        if (ended is null)
        {
            var made = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ended = Interlocked.CompareExchange(ref _ended, made, null) ?? made;
        }

        if (Volatile.Read(ref _endedFlag) != 0)
        {
            ended.TrySetResult();
        }

        return ended.Task;
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _signal.OnCompleted(continuation, state, token, flags);

    /// <summary>Appends a frame, growing the slots (doubling, up to the capacity) for it and the <paramref name="coming"/> - 1 after it.</summary>
    private void Append(SseFrame frame, int coming)
    {
        if (_pendingCount == _pending.Length)
        {
            var wanted = Math.Max(_pending.Length * 2, Math.Max(InitialSlots, _pendingCount + coming));
            Array.Resize(ref _pending, Math.Min(wanted, Math.Max(_capacity, InitialSlots)));
        }

        _pending[_pendingCount++] = frame;
        _pendingBytes += frame.Bytes.Length;
    }

    /// <summary>Under the lock: whether the pump waits and must be woken (once).</summary>
    private bool TakeWaiter()
    {
        var waiting = _readerWaiting;
        _readerWaiting = false;
        return waiting;
    }

    /// <summary>Outside the lock: wakes the pump when <paramref name="wake"/>.</summary>
    private void Wake(bool wake)
    {
        if (wake)
        {
            _signal.SetResult(true);
        }
    }

    private void SignalEnded()
    {
        Interlocked.Exchange(ref _endedFlag, 1);
        Volatile.Read(ref _ended)?.TrySetResult();
    }
}
