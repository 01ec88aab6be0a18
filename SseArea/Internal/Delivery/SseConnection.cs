using System.IO.Pipelines;
using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;

namespace SseArea.Internal.Delivery;

/// <summary>One client's stream: the brokers' listener, its <see cref="FrameQueue"/>, its resume state, and when it last wrote.</summary>
internal sealed class SseConnection : ISseListener
{
    private readonly FrameQueue _queue;
    private readonly OpenStreams _streams;
    private SseResume? _resume;
    private SseChannelLabels? _labels;
    private ITimer? _accessEnds;
    private long _lastWrite;

    public SseConnection(int capacity, OpenStreams streams, long byteBudget = long.MaxValue)
    {
        _queue = new FrameQueue(capacity, byteBudget);
        _streams = streams;
    }

    /// <summary>Where this stream sits in <see cref="OpenStreams"/> (-1: not there); changed under its lock only.</summary>
    internal int Slot { get; set; } = -1;

    /// <inheritdoc cref="FrameQueue.Overflowed"/>
    public bool Overflowed => _queue.Overflowed;

    /// <summary>Whether the pump gave up on a flush the client was not taking: the connection must go, with its unsent bytes.</summary>
    public bool FlushAbandoned { get; private set; }

    public bool TryWrite(SseFrame frame) => _queue.TryWrite(frame);

    public int TryWrite(ReadOnlySpan<SseFrame> frames) => _queue.TryWrite(frames);

    /// <summary>Sets what the stream writes before live events, from its subscription's replay, and its channel labels. Call before pumping.</summary>
    public void Resume(SseReplay replay, IReadOnlyList<string> channels)
    {
        Channels = channels;
        _labels = SseChannelLabels.For(channels);
        _resume = SseResume.For(replay, channels, _labels);
    }

    /// <summary>The channels the stream follows (set by <see cref="Resume"/>), for the dashboard's counts.</summary>
    public IReadOnlyList<string> Channels { get; private set; } = [];

    /// <summary>Ends the stream from outside (the application is stopping): queued frames are written, then the pump ends.</summary>
    public void Stop() => _queue.Stop();

    /// <summary>The user who opened the stream (for <see cref="ISseStreams.EndStreams"/>); <see langword="null"/> when none.</summary>
    public System.Security.Claims.ClaimsPrincipal? User { get; set; }

    /// <summary>Ends the stream after <paramref name="after"/>, so that its access is checked again when the client reconnects.</summary>
    public void EndAfter(TimeSpan after)
    {
        // The timer must not capture (and keep alive) the request's execution context.
        var flow = ExecutionContext.IsFlowSuppressed() ? default(AsyncFlowControl?) : ExecutionContext.SuppressFlow();
        try
        {
            _accessEnds = _streams.Time.CreateTimer(static state => ((SseConnection)state!).Stop(), this, after, Timeout.InfiniteTimeSpan);
        }
        finally
        {
            flow?.Undo();
        }
    }

    /// <summary>The shared heartbeat tick: after a whole <paramref name="interval"/> of silence, queues a heartbeat (then true).</summary>
    public bool Tick(long now, TimeSpan interval, TimeProvider time)
    {
        if (time.GetElapsedTime(Volatile.Read(ref _lastWrite), now) < interval)
        {
            return false;
        }

        _queue.ShrinkWhenIdle();
        _queue.TryWriteHeartbeat();
        Volatile.Write(ref _lastWrite, now);
        return true;
    }

    /// <summary>Writes the replay, then queued frames, until the client leaves, <see cref="Stop"/> is called or the queue overflows.</summary>
    /// <returns><see langword="null"/> when the stream ended as streams do; what went wrong when writing failed.</returns>
    public async Task<Exception?> PumpAsync(PipeWriter output, CancellationToken aborted)
    {
        Volatile.Write(ref _lastWrite, _streams.Time.GetTimestamp());
        _streams.Add(this);
        try
        {
            if (_resume is { } resume)
            {
                var wrote = resume.WriteStart(output);
                DropResumeWhenDone();
                if (wrote && !await FlushAsync(output, aborted))
                {
                    return null;
                }
            }

            // One registration for the stream's life, not one per wait.
            using var canceled = aborted.UnsafeRegister(static state => ((FrameQueue)state!).Cancel(), _queue);
            while (await _queue.WaitToReadAsync())
            {
                // Everything queued goes out with one flush.
                var (batch, count) = _queue.TakeAll();
                var wroteEvent = WriteBatch(output, batch.AsSpan(0, count));
                if (wroteEvent)
                {
                    Volatile.Write(ref _lastWrite, _streams.Time.GetTimestamp());
                }

                if (!await FlushAsync(output, aborted))
                {
                    return null;
                }

                _queue.Flushed(batch, count);
            }

            return null;
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return null; // the client left
        }
        catch (Exception e)
        {
            return e;
        }
        finally
        {
            _streams.Remove(this);
            _accessEnds?.Dispose();
        }
    }

    /// <summary>Flushes; <see langword="false"/> when the stream is over (the client left or fell behind meanwhile, or <see cref="Stop"/>).</summary>
    private async ValueTask<bool> FlushAsync(PipeWriter output, CancellationToken aborted)
    {
        var flushing = output.FlushAsync(aborted);
        FlushResult result;
        if (flushing.IsCompletedSuccessfully)
        {
            result = flushing.Result;
        }
        else
        {
            var flush = flushing.AsTask();
            if (await Task.WhenAny(flush, _queue.Ended()) != flush)
            {
                FlushAbandoned = true;
                return false;
            }

            result = await flush;
        }

        return !result.IsCompleted && !result.IsCanceled;
    }

    /// <summary>
    /// Writes a batch; <see langword="true"/> when it held an event (not only heartbeats). Frames are copied into
    /// one span of the writer: Kestrel's takes a lock in each GetSpan and Advance, so not two per frame.
    /// </summary>
    private bool WriteBatch(PipeWriter output, ReadOnlySpan<SseFrame?> frames)
    {
        var resume = _resume;
        var wroteEvent = false;
        var span = Span<byte>.Empty;
        var used = 0;
        foreach (var frame in frames)
        {
            if (!ReferenceEquals(frame, SseWriter.Heartbeat))
            {
                if (resume is not null && resume.Skips(frame!))
                {
                    continue;
                }

                wroteEvent = true;
                if (resume is { WritesOwnIds: true })
                {
                    // This stream's own id line goes around the shared frame.
                    if (used > 0)
                    {
                        output.Advance(used);
                        used = 0;
                        span = Span<byte>.Empty;
                    }

                    resume.Write(output, frame!);
                    continue;
                }
            }

            var label = _labels is null ? default : _labels.Of(frame!);
            var bytes = frame!.Bytes.Span;
            if (label.Length + bytes.Length > span.Length - used)
            {
                if (used > 0)
                {
                    output.Advance(used);
                    used = 0;
                }

                span = output.GetSpan(label.Length + bytes.Length);
            }

            label.CopyTo(span[used..]);
            bytes.CopyTo(span[(used + label.Length)..]);
            used += label.Length + bytes.Length;
        }

        if (used > 0)
        {
            output.Advance(used);
        }

        DropResumeWhenDone();
        return wroteEvent;
    }

    private void DropResumeWhenDone()
    {
        if (_resume is { IsDone: true })
        {
            _resume = null;
        }
    }
}
