using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging.Testing;
using SseArea.Internal.Fanout;
using SseArea.Internal.Redis;
using SseArea.Internal.Wire;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// How a channel's events go from a real redis-server to this process's listeners: whatever has arrived is handed over
/// at once (at most <see cref="RedisMessageBatches.MaxBatch"/> events), in order, so a burst reaches a stream's queue in
/// a few appends and its client in a few writes; a delivery that throws is logged and the channel goes on.
/// </summary>
[CancelAfter(30_000)]
public sealed class RedisBatchDeliveryTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Test]
    public async Task BurstHeldBehindASlowDelivery_ReachesTheListenerInBatchesOfAtMost64_InOrder()
    {
        var logger = new FakeLogger<RedisSseBroker>();
        await using var broker = await StartBrokerAsync(logger);
        string channel = Unique("burst"), probeChannel = Unique("probe");
        using var held = new HeldListener();
        var probe = new ProbeListener();
        await using var subscription = await broker.SubscribeAsync([channel], held, null, default);
        await using var probing = await broker.SubscribeAsync([probeChannel], probe, null, default);

        // The first event is delivered alone and held there; the next 100 queue up behind it.
        await broker.PublishAsync(channel, new SseMessage("d0"), default);
        await held.Entered.Task.WaitAsync(Timeout);
        for (var i = 1; i <= 100; i++)
        {
            await broker.PublishAsync(channel, new SseMessage("d" + i), default);
        }

        // Read from the same subscription connection after them: once it arrives, all 100 are queued here.
        await broker.PublishAsync(probeChannel, new SseMessage("probe"), default);
        await probe.Received.Task.WaitAsync(Timeout);
        held.Gate.Set();
        await held.All(101).WaitAsync(Timeout);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(held.Batches, Is.EqualTo(new[] { 1, 64, 36 }), "what arrived goes at once, 64 at most");
            Assert.That(held.Data, Is.EqualTo(Enumerable.Range(0, 101).Select(i => "d" + i)), "every event, in order");
            Assert.That(logger.Collector.GetSnapshot().Where(r => r.Id.Name == "RedisDeliveryFailed"), Is.Empty);
        }
    }

    [Test]
    public async Task DeliveryThatThrows_IsLogged_TheStreamsAreToldTheyMissedEvents_AndTheChannelGoesOn()
    {
        var logger = new FakeLogger<RedisSseBroker>();
        await using var broker = await StartBrokerAsync(logger);
        var channel = Unique("throws");
        var listener = new ThrowsOnceListener();
        await using var subscription = await broker.SubscribeAsync([channel], listener, null, default);

        await broker.PublishAsync(channel, new SseMessage("lost"), default);
        await listener.Thrown.Task.WaitAsync(Timeout);
        await broker.PublishAsync(channel, new SseMessage("next"), default);
        await listener.Two.Task.WaitAsync(Timeout);

        var failure = logger.Collector.GetSnapshot().Single(r => r.Id.Name == "RedisDeliveryFailed");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(listener.Texts[0], Does.StartWith("event:sse-missed\n"), "told, before the next event");
            Assert.That(listener.Texts[1], Is.EqualTo("data:next\n\n"), "the channel's delivery went on");
            Assert.That(failure.Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Error));
            Assert.That(failure.Message, Does.Contain($"'{channel}'").And.Contain("sent sse-missed"));
            Assert.That(failure.Exception, Is.InstanceOf<InvalidOperationException>());
        }
    }

    private static async Task<RedisSseBroker> StartBrokerAsync(FakeLogger<RedisSseBroker> logger)
    {
        Assert.That(RedisUrl.TryParse((await RedisTestServer.GetAsync()).Url, out var configuration, out var error), Is.True, error);
        var options = Microsoft.Extensions.Options.Options.Create(new SseOptions { Redis = { Configuration = configuration } });
        var broker = new RedisSseBroker(options, logger);
        await broker.StartAsync(default);
        return broker;
    }

    private static string Unique(string name) => $"batches.{name}.{Guid.NewGuid():N}";

    private static string Text(SseFrame frame) => Encoding.UTF8.GetString(frame.Bytes.Span);

    /// <summary>Records each hand-over's size and data; holds the first one until <see cref="Gate"/> is set.</summary>
    private sealed class HeldListener : ISseListener, IDisposable
    {
        private readonly ConcurrentQueue<string> _data = new();
        private readonly ConcurrentQueue<int> _batches = new();
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _expected = int.MaxValue;

        public ManualResetEventSlim Gate { get; } = new(false);

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IEnumerable<int> Batches => _batches;

        public IEnumerable<string> Data => _data;

        public Task All(int count)
        {
            Volatile.Write(ref _expected, count);
            if (_data.Count >= count)
            {
                _all.TrySetResult();
            }

            return _all.Task;
        }

        public bool TryWrite(SseFrame frame) => TryWrite(new ReadOnlySpan<SseFrame>(in frame)) == 1;

        public int TryWrite(ReadOnlySpan<SseFrame> frames)
        {
            Entered.TrySetResult();
            Gate.Wait(Timeout);
            _batches.Enqueue(frames.Length);
            foreach (var frame in frames)
            {
                _data.Enqueue(Text(frame).Split('\n')[0][5..]);
            }

            if (_data.Count >= Volatile.Read(ref _expected))
            {
                _all.TrySetResult();
            }

            return frames.Length;
        }

        public void Dispose() => Gate.Dispose();
    }

    private sealed class ProbeListener : ISseListener
    {
        public TaskCompletionSource Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool TryWrite(SseFrame frame) => Received.TrySetResult();
    }

    /// <summary>Throws at its first event; keeps the texts of what comes after.</summary>
    private sealed class ThrowsOnceListener : ISseListener
    {
        private int _calls;

        public TaskCompletionSource Thrown { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Two { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<string> Texts { get; } = [];

        public bool TryWrite(SseFrame frame)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                Thrown.SetResult();
                throw new InvalidOperationException("a listener failed");
            }

            Texts.Add(Text(frame));
            if (Texts.Count == 2)
            {
                Two.SetResult();
            }

            return true;
        }
    }
}
