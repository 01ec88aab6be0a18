using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks.Sources;
using SseArea.Brokers;

namespace SseArea.Streaming;

/// <summary>
/// One client's stream: a bounded queue of shared event frames, drained into the response, with a
/// heartbeat comment after each silence of (at least) the heartbeat interval. A client that falls
/// <c>capacity</c> events behind is cut off rather than buffered without end.
/// </summary>
/// <remarks>
/// A stream that follows several channels with history on writes its own <c>id:</c>: one event id
/// per channel (see <see cref="SseCursor"/>), so that a reconnect resumes every channel where it
/// stopped. The shared frame is then written around its own <c>id:</c> line, never copied or changed.
/// </remarks>
internal sealed class SseConnection : ISseListener, IValueTaskSource<bool>
{
    private const int InitialSlots = 4;
    private const int IdleSlots = 64;

    /// <summary>The event type that tells a reconnecting client some events are gone for good.</summary>
    public const string MissedEventType = "sse-missed";

    private static readonly byte[] Heartbeat = SseEventFormatter.Comment("heartbeat");

    // Queued by the heartbeat timer; recognised by reference, written as Heartbeat.
    private static readonly SseFrame HeartbeatFrame = new(Heartbeat);

    // The queue: writers append to _pending under _gate; the pump swaps it with _spare and writes the
    // whole batch without the lock (one lock per batch, not one per frame as a Channel<T> takes).
    private readonly Lock _gate = new();
    private readonly int _capacity;
    // Empty until the first event: an idle stream holds no queue arrays.
    private SseFrame?[] _pending = [];
    private SseFrame?[] _spare = [];
    private int _pendingCount;
    private bool _completed;
    private bool _canceled;
    private bool _readerWaiting;
    // Wakes the pump; reused for every wait (no allocation), continuations never run on the writer's thread.
    private ManualResetValueTaskSourceCore<bool> _signal = new() { RunContinuationsAsynchronously = true };
    private readonly IReadOnlyList<string> _channels;
    private readonly TimeSpan _heartbeatInterval;
    private readonly TimeProvider _time;
    private SseReplay _replay = SseReplay.None;
    private string?[]? _cursor;
    private Dictionary<string, List<SseFrame>>? _overlap;
    private Dictionary<string, (ulong Ms, ulong Seq)>? _floors;
    // Completed when the stream must end even if a flush is stuck: the client fell behind, or Stop.
    // Made only when a flush has to wait (EndedTask); _endedFlag is set first, so whichever of the
    // flush and the ending comes second completes it.
    private TaskCompletionSource? _ended;
    private int _endedFlag;
    private int _overflowed;
    private long _lastWrite;
    private ITimer? _heartbeat;

    public SseConnection(int capacity, IReadOnlyList<string>? channels = null, TimeSpan heartbeatInterval = default, TimeProvider? timeProvider = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _channels = channels ?? [];
        _heartbeatInterval = heartbeatInterval;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary><see langword="true"/> once the client fell too far behind and was cut off.</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) != 0;

    public bool TryWrite(SseFrame frame)
    {
        bool wake;
        bool taken;
        lock (_gate)
        {
            if (_completed)
            {
                return false; // overflowed already, or stopped: no new cut-off
            }

            taken = _pendingCount < _capacity;
            if (taken)
            {
                Append(frame);
            }
            else
            {
                // Cut off: the pump writes what is queued, then ends.
                _completed = true;
                Volatile.Write(ref _overflowed, 1);
            }

            wake = TakeWaiter();
        }

        if (!taken)
        {
            SignalEnded(); // a pump stuck writing to a client that stopped reading gives up
        }

        ReleaseWaiter(wake);
        return taken;
    }

    /// <summary>Queues a heartbeat unless the queue is full (the client is behind anyway) or done: never a cut-off.</summary>
    private void TryWriteHeartbeat()
    {
        bool wake;
        lock (_gate)
        {
            if (_completed || _pendingCount == _capacity)
            {
                return;
            }

            Append(HeartbeatFrame);
            wake = TakeWaiter();
        }

        ReleaseWaiter(wake);
    }

    private void Append(SseFrame frame)
    {
        if (_pendingCount == _pending.Length)
        {
            Array.Resize(ref _pending, Math.Min(Math.Max(_pending.Length * 2, InitialSlots), Math.Max(_capacity, InitialSlots)));
        }

        _pending[_pendingCount++] = frame;
    }

    /// <summary>Under the lock: whether the pump waits and must be woken (once).</summary>
    private bool TakeWaiter()
    {
        var waiting = _readerWaiting;
        _readerWaiting = false;
        return waiting;
    }

    /// <summary>Outside the lock: wakes the pump when <paramref name="wake"/>.</summary>
    private void ReleaseWaiter(bool wake)
    {
        if (wake)
        {
            _signal.SetResult(true);
        }
    }

    /// <summary>Completes when frames are queued (<see langword="true"/>) or the queue is done and empty (<see langword="false"/>).</summary>
    private ValueTask<bool> WaitToReadAsync()
    {
        lock (_gate)
        {
            if (_canceled)
            {
                return ValueTask.FromResult(false);
            }

            if (_pendingCount > 0)
            {
                return ValueTask.FromResult(true);
            }

            if (_completed)
            {
                return ValueTask.FromResult(false);
            }

            _signal.Reset();
            _readerWaiting = true;
            return new ValueTask<bool>(this, _signal.Version);
        }
    }

    private void ShrinkWhenIdle()
    {
        lock (_gate)
        {
            // Only while the pump waits: then it holds no batch, and both arrays are empty.
            if (_readerWaiting && _pendingCount == 0 && _spare.Length > IdleSlots)
            {
                _spare = [];
                _pending = [];
            }
        }
    }

    /// <summary>Takes everything queued; the caller writes it and hands the array back with <see cref="Recycle"/>.</summary>
    private (SseFrame?[] Batch, int Count) TakeAll()
    {
        lock (_gate)
        {
            var batch = _pending;
            var count = _pendingCount;
            _pending = _spare;
            _pendingCount = 0;
            return (batch, count);
        }
    }

    private void Recycle(SseFrame?[] batch, int count)
    {
        Array.Clear(batch, 0, count); // frames are not kept alive by a stale slot
        lock (_gate)
        {
            _spare = batch;
        }
    }

    private void Cancel()
    {
        bool wake;
        lock (_gate)
        {
            _canceled = true;
            wake = TakeWaiter();
        }

        ReleaseWaiter(wake);
    }

    bool IValueTaskSource<bool>.GetResult(short token) => _signal.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _signal.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags)
        => _signal.OnCompleted(continuation, state, token, flags);

    /// <summary>Sets what <see cref="PumpAsync"/> writes before the queued live events. Call before pumping.</summary>
    public void SetReplay(SseReplay replay) => _replay = replay;

    /// <summary>
    /// Ends the stream from outside (the application is stopping): the frames already queued are
    /// written, then <see cref="PumpAsync"/> returns, or at once when a flush is stuck on the client.
    /// </summary>
    public void Stop()
    {
        bool wake;
        lock (_gate)
        {
            _completed = true;
            wake = TakeWaiter();
        }

        SignalEnded();
        ReleaseWaiter(wake);
    }

    private void SignalEnded()
    {
        Interlocked.Exchange(ref _endedFlag, 1);
        Volatile.Read(ref _ended)?.TrySetResult();
    }

    /// <summary>Completes when the stream must end even if a flush is stuck: the client fell behind, or <see cref="Stop"/>.</summary>
    private Task EndedTask()
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

    /// <summary>
    /// Writes the replay, then queued frames to <paramref name="output"/>, flushing whenever the queue
    /// is drained, until the client leaves, <paramref name="cancellationToken"/> fires, <see cref="Stop"/>
    /// is called or the queue overflows.
    /// </summary>
    /// <remarks>
    /// Waiting costs nothing per wait: the heartbeat is one timer per stream, made once. The pump only
    /// notes when it last wrote; the timer's tick queues a heartbeat comment when that was a whole
    /// interval ago, and otherwise sets itself for the rest of the interval. So every silence of the
    /// interval still sends one, without a timer or a task per wait.
    /// </remarks>
    public async Task PumpAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        ITimer? heartbeat = null;
        try
        {
            if (WriteReplay(output) && !await FlushAsync(output, cancellationToken))
            {
                return;
            }

            if (_heartbeatInterval > TimeSpan.Zero)
            {
                Volatile.Write(ref _lastWrite, _time.GetTimestamp());
                // The tick needs nothing of the request's execution context (log scopes and the like):
                // not captured, so the timer does not keep it alive.
                var flow = ExecutionContext.IsFlowSuppressed() ? default(AsyncFlowControl?) : ExecutionContext.SuppressFlow();
                try
                {
                    // Created unarmed and armed once stored: a first tick that came before the field
                    // was set could not re-arm the timer, and the heartbeats would stop for good.
                    heartbeat = _time.CreateTimer(static state => ((SseConnection)state!).Tick(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
                finally
                {
                    flow?.Undo();
                }

                _heartbeat = heartbeat;
                heartbeat.Change(_heartbeatInterval, Timeout.InfiniteTimeSpan);
            }

            // One registration for the stream's life, not one per wait.
            using var canceled = cancellationToken.UnsafeRegister(static state => ((SseConnection)state!).Cancel(), this);
            while (await WaitToReadAsync())
            {
                // Everything queued goes out with one flush.
                var (batch, count) = TakeAll();
                var wroteEvent = WriteBatch(output, batch.AsSpan(0, count));
                Recycle(batch, count);
                if (wroteEvent && heartbeat is not null)
                {
                    Volatile.Write(ref _lastWrite, _time.GetTimestamp());
                }

                if (!await FlushAsync(output, cancellationToken))
                {
                    return;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            heartbeat?.Dispose();
        }
    }

    /// <summary>The heartbeat timer's tick: a heartbeat after a whole interval of silence, else wait for the rest of it.</summary>
    private void Tick()
    {
        var now = _time.GetTimestamp();
        var silence = _time.GetElapsedTime(Volatile.Read(ref _lastWrite), now);
        var next = _heartbeatInterval - silence;
        if (next <= TimeSpan.Zero)
        {
            // A whole interval of silence: burst-sized arrays are not kept for the rest of the stream.
            ShrinkWhenIdle();

            // A full queue means the client is behind anyway: no heartbeat needed, and never a cut-off for one.
            TryWriteHeartbeat();
            Volatile.Write(ref _lastWrite, now);
            next = _heartbeatInterval;
        }

        try
        {
            _heartbeat?.Change(next, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            // The stream ended meanwhile.
        }
    }

    /// <summary>
    /// Flushes; <see langword="false"/> when the stream is over: the client left, or it fell too far
    /// behind while this flush waited for it (then the caller aborts the connection), or <see cref="Stop"/>.
    /// </summary>
    private async ValueTask<bool> FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        var flushing = output.FlushAsync(cancellationToken);
        FlushResult result;
        if (flushing.IsCompletedSuccessfully)
        {
            result = flushing.Result;
        }
        else
        {
            var flush = flushing.AsTask();
            if (await Task.WhenAny(flush, EndedTask()) != flush)
            {
                return false;
            }

            result = await flush;
        }

        return !result.IsCompleted && !result.IsCanceled;
    }

    /// <summary>Writes the missed notice and the replayed events; <see langword="true"/> when it wrote anything.</summary>
    private bool WriteReplay(PipeWriter output)
    {
        var replay = _replay;
        if (replay.Cursor is { } cursor && _channels.Count > 1)
        {
            _cursor = [.. _channels.Select(channel => cursor.GetValueOrDefault(channel))];
        }

        var wrote = false;
        var position = Position(replay);
        if (replay.MissedChannels.Count > 0)
        {
            output.Write(Encoding.UTF8.GetBytes(MissedNoticeText(replay.MissedChannels, position ?? string.Empty)));
            wrote = true;
        }
        else if (position is not null)
        {
            // With history on, the client knows its position from the start: a block with only an id
            // line sets the browser's lastEventId without dispatching an event, so a reconnect before
            // the first event still sends Last-Event-ID and gets what was published meanwhile.
            output.Write(Encoding.UTF8.GetBytes($"id:{position}\n\n"));
            wrote = true;
        }

        foreach (var frame in replay.Frames)
        {
            Write(output, frame);
            wrote = true;
        }

        // A channel whose position is a Redis entry id: live frames with broker-assigned ids at or
        // below it are ones the client has (replayed, or before its Last-Event-ID). They do arrive
        // when another stream of this process already followed the channel and its dispatch was
        // behind the history read.
        var positions = (replay.Cursor ?? new Dictionary<string, string?>()).Select(p => (Channel: p.Key, Id: p.Value))
            .Concat(replay.Frames.Where(f => f.Channel is not null).Select(f => (Channel: f.Channel!, f.Id)));
        foreach (var (channel, id) in positions)
        {
            if (SseCursor.TryParseEntryId(id, out var floor) && floor != default)
            {
                _floors ??= new(StringComparer.Ordinal);
                if (!_floors.TryGetValue(channel, out var known) || floor.CompareTo(known) > 0)
                {
                    _floors[channel] = floor;
                }
            }
        }

        foreach (var frame in replay.Overlap)
        {
            if (frame.Channel is { } channel && frame.Id is not null)
            {
                _overlap ??= new(StringComparer.Ordinal);
                ref var pending = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_overlap, channel, out _);
                (pending ??= []).Add(frame);
            }
        }

        return wrote;
    }

    /// <summary>
    /// Where the client stands before the replay, as the <c>id:</c> to write (a channel with no event
    /// yet is <see cref="SseCursor.Start"/>, never empty: an empty id clears the browser's); <see langword="null"/> when history is off.
    /// </summary>
    private string? Position(SseReplay replay)
    {
        if (_cursor is not null)
        {
            return SseCursor.Encode(_cursor);
        }

        var channel = _channels.Count == 1 ? _channels[0] : replay.MissedChannels.Count > 0 ? replay.MissedChannels[0] : null;
        return replay.Cursor is { } cursor && channel is not null ? cursor.GetValueOrDefault(channel) ?? SseCursor.Start : null;
    }

    /// <summary>
    /// Whether a live frame is one the replay already wrote: on Redis, events published between
    /// SUBSCRIBE and the history read arrive both ways. A channel's live frames come in publication
    /// order and the doubled ones are its newest replayed ones, so checking ends for the channel at
    /// its first live frame that is not among them (or when none is left), and the frames are released.
    /// </summary>
    private bool IsReplayed(SseFrame frame)
    {
        if (_floors is not null && frame.Channel is { } floored && _floors.TryGetValue(floored, out var floor)
            && SseCursor.TryParseEntryId(frame.Id, out var entry))
        {
            if (entry.CompareTo(floor) <= 0)
            {
                return true;
            }

            // Live frames of a channel come in publication order: every later one is newer too.
            _floors.Remove(floored);
            if (_floors.Count == 0)
            {
                _floors = null;
            }
        }

        if (_overlap is null || frame.Channel is not { } channel || !_overlap.TryGetValue(channel, out var pending))
        {
            return false;
        }

        var index = pending.FindIndex(replayed => string.Equals(replayed.Id, frame.Id, StringComparison.Ordinal)
            && replayed.Bytes.Span.SequenceEqual(frame.Bytes.Span));
        if (index >= 0)
        {
            pending.RemoveRange(0, index + 1);
        }

        if (index < 0 || pending.Count == 0)
        {
            _overlap.Remove(channel);
            if (_overlap.Count == 0)
            {
                _overlap = null;
            }
        }

        return index >= 0;
    }

    /// <summary>
    /// Writes a batch of frames; <see langword="true"/> when it held an event (not only heartbeats).
    /// Consecutive frames are copied into one span of the writer: Kestrel's response writer takes a
    /// lock in each GetSpan and Advance, so a batch costs one or a few of those, not two per frame.
    /// </summary>
    private bool WriteBatch(PipeWriter output, ReadOnlySpan<SseFrame?> frames)
    {
        var wroteEvent = false;
        var span = Span<byte>.Empty;
        var used = 0;
        foreach (var frame in frames)
        {
            ReadOnlySpan<byte> bytes;
            if (ReferenceEquals(frame, HeartbeatFrame))
            {
                bytes = Heartbeat;
            }
            else if (IsReplayed(frame!))
            {
                continue;
            }
            else
            {
                wroteEvent = true;
                if (_cursor is not null)
                {
                    // Several channels' ids: this stream's own id line goes around the shared frame.
                    if (used > 0)
                    {
                        output.Advance(used);
                        used = 0;
                        span = Span<byte>.Empty;
                    }

                    Write(output, frame!);
                    continue;
                }

                bytes = frame!.Bytes.Span;
            }

            if (bytes.Length > span.Length - used)
            {
                if (used > 0)
                {
                    output.Advance(used);
                    used = 0;
                }

                span = output.GetSpan(bytes.Length);
            }

            bytes.CopyTo(span[used..]);
            used += bytes.Length;
        }

        if (used > 0)
        {
            output.Advance(used);
        }

        return wroteEvent;
    }

    private void Write(PipeWriter output, SseFrame frame)
    {
        var bytes = frame.Bytes.Span;
        if (_cursor is null || frame.Channel is null || frame.Id is null)
        {
            output.Write(bytes);
            return;
        }

        var index = IndexOf(frame.Channel);
        if (index < 0)
        {
            output.Write(bytes);
            return;
        }

        // The event's text without its own id line and final blank line, then this stream's id.
        _cursor[index] = frame.Id;
        output.Write(bytes[..frame.IdStart]);
        output.Write(bytes[frame.IdEnd..^1]);
        output.Write("id:"u8);
        output.Write(Encoding.UTF8.GetBytes(SseCursor.Encode(_cursor)));
        output.Write("\n\n"u8);
    }

    private int IndexOf(string channel)
    {
        for (var i = 0; i < _channels.Count; i++)
        {
            if (string.Equals(_channels[i], channel, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The <c>sse-missed</c> event naming <paramref name="channels"/>, with an <c>id:</c> line when a
    /// position is given: what a client gets when events it should have had can not be sent.
    /// </summary>
    internal static string MissedNoticeText(IReadOnlyList<string> channels, string? position = null)
        => $"event:{MissedEventType}\ndata:{JsonSerializer.Serialize(new MissedNotice(channels))}\n{(position is null ? null : $"id:{position}\n")}\n";

    private sealed record MissedNotice(IReadOnlyList<string> Channels)
    {
        [System.Text.Json.Serialization.JsonPropertyName("channels")]
        public IReadOnlyList<string> Channels { get; } = Channels;
    }
}
