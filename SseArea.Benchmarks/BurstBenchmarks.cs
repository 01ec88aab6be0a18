using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SseArea.Internal.Delivery;
using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;

namespace SseArea.Benchmarks;

/// <summary>
/// A burst through the real delivery path, without sockets: <see cref="Events"/> frames fanned out to
/// <see cref="Streams"/> streams (<see cref="SseConnection"/>: its <see cref="FrameQueue"/> and pump) on one thread,
/// as the brokers do, while every stream's pump writes its batches on the thread pool into a writer that counts the
/// bytes; done when every pump has written every frame. What it shows: the fan-out thread and the pumps meeting on
/// the queues' locks, which bounds a burst's rate (issue 18), and what handing the frames over in batches
/// (<see cref="Batch"/> = 64, as the Redis broker does with what has arrived) saves over one at a time (1).
/// </summary>
[MemoryDiagnoser]
public class BurstBenchmarks : IDisposable
{
    private const string Channel = "bench";
    private readonly SseFrame _frame = new("event:greeting\ndata:{\"message\": \"Hello!\"}\n\n"u8.ToArray(), Channel);
    private readonly CancellationTokenSource _stop = new();
    private ListenerRegistry _registry = null!;
    private OpenStreams _streams = null!;
    private CountingWriter[] _writers = null!;
    private Task[] _pumps = null!;
    private long _expected;

    [Params(1_000, 10_000)]
    public int Streams { get; set; }

    [Params(100)]
    public int Events { get; set; }

    [Params(1, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _registry = new ListenerRegistry();
        _streams = new OpenStreams(Options.Create(new SseOptions()), TimeProvider.System, new Lifetime());
        _writers = new CountingWriter[Streams];
        _pumps = new Task[Streams];
        for (var i = 0; i < Streams; i++)
        {
            var connection = new SseConnection(1024, _streams);
            _writers[i] = new CountingWriter();
            _registry.Add(Channel, connection);
            _pumps[i] = connection.PumpAsync(_writers[i], _stop.Token);
        }
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _stop.Cancel();
        Task.WaitAll(_pumps, TimeSpan.FromSeconds(30));
        _streams.Dispose();
        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The burst: every frame to every stream, then wait until each stream's pump wrote them all.</summary>
    [Benchmark]
    public async Task Burst()
    {
        _expected += (long)Events * _frame.Bytes.Length;
        var frames = Enumerable.Repeat(_frame, Batch).ToArray();
        for (var e = 0; e < Events; e += Batch)
        {
            _registry.Deliver(Channel, frames.AsSpan(0, Math.Min(Batch, Events - e)), out _);
        }

        foreach (var writer in _writers)
        {
            while (Volatile.Read(ref writer.Written) < _expected)
            {
                await Task.Yield();
            }
        }
    }

    /// <summary>A response body that takes every byte and counts it; its flush completes at once.</summary>
    private sealed class CountingWriter : PipeWriter
    {
        public long Written;
        private byte[] _buffer = new byte[4096];

        public override void Advance(int bytes) => Interlocked.Add(ref Written, bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => Buffer(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => Buffer(sizeHint).Span;

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
            => ValueTask.FromResult(new FlushResult(cancellationToken.IsCancellationRequested, false));

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }

        private Memory<byte> Buffer(int sizeHint)
        {
            if (sizeHint > _buffer.Length)
            {
                _buffer = new byte[sizeHint];
            }

            return _buffer;
        }
    }

    private sealed class Lifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
