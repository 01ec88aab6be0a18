using System.Buffers;
using System.IO.Pipelines;
using System.Threading.Channels;
using SseArea.Brokers;

namespace SseArea.Streaming;

/// <summary>
/// One client's stream: a bounded queue of shared event frames, drained into the response.
/// A client that falls <c>capacity</c> events behind is cut off rather than buffered without end.
/// </summary>
internal sealed class SseConnection : ISseListener
{
    private readonly Channel<ReadOnlyMemory<byte>> _queue;
    private int _overflowed;

    public SseConnection(int capacity)
    {
        _queue = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then answers false instead of dropping silently.
            AllowSynchronousContinuations = false,
        });
    }

    /// <summary><see langword="true"/> once the client fell too far behind and was cut off.</summary>
    public bool Overflowed => Volatile.Read(ref _overflowed) != 0;

    public bool TryWrite(ReadOnlyMemory<byte> frame)
    {
        if (_queue.Writer.TryWrite(frame))
        {
            return true;
        }

        if (Interlocked.Exchange(ref _overflowed, 1) == 0)
        {
            _queue.Writer.TryComplete();
        }

        return false;
    }

    /// <summary>
    /// Writes queued frames to <paramref name="output"/>, flushing whenever the queue is drained,
    /// until the client leaves, <paramref name="cancellationToken"/> fires or the queue overflows.
    /// </summary>
    public async Task PumpAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(cancellationToken))
        {
            while (reader.TryRead(out var frame))
            {
                output.Write(frame.Span);
            }

            var flushed = await output.FlushAsync(cancellationToken);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                return;
            }
        }
    }
}
