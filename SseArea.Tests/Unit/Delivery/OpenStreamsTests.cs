using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SseArea.Internal.Delivery;
using SseArea.Internal.Wire;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Unit;

/// <summary>The open streams of a process: one heartbeat tick for all of them, on a fake clock, and one stop.</summary>
[CancelAfter(10_000)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class OpenStreamsTests : IDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    private readonly FakeTimeProvider _time = new();
    private readonly Pipe _pipe = new();
    private readonly List<TestStreams> _made = [];
    private string _received = string.Empty;

    public void Dispose() => _made.ForEach(streams => streams.Dispose());

    [Test]
    public async Task Silence_OfTheInterval_SendsAHeartbeatComment_WithinAQuarterIntervalMore(CancellationToken cancellationToken)
    {
        var connection = Streams(Interval).Connection(4);
        var start = _time.GetUtcNow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await AdvanceUntilReceivedAsync(":heartbeat\n", cancellationToken);

        Assert.That(_time.GetUtcNow() - start, Is.InRange(Interval, Interval * 1.25 + TimeSpan.FromSeconds(1)), "after the interval, at the next quarter-interval tick");
        await stop.CancelAsync();
        Assert.That(await pump, Is.Null, "the client left: a normal end, no failure");
    }

    [Test]
    public async Task Event_ResetsTheSilence(CancellationToken cancellationToken)
    {
        var connection = Streams(Interval).Connection(4);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        _time.Advance(TimeSpan.FromSeconds(10));
        connection.TryWrite(new SseFrame("data:x\n\n"u8.ToArray()));
        await ReadUntilAsync("data:x\n\n", cancellationToken);
        var eventTime = _time.GetUtcNow();
        await AdvanceUntilReceivedAsync("data:x\n\n:heartbeat\n", cancellationToken);

        // Without the reset, the heartbeat would have come 5 s after the event (15 s after the start).
        Assert.That(_time.GetUtcNow() - eventTime, Is.GreaterThanOrEqualTo(Interval));
        await stop.CancelAsync();
        Assert.That(await pump, Is.Null, "the client left: a normal end, no failure");
    }

    [Test]
    public async Task Heartbeat_IntoAFullQueue_IsSkipped_NotACutOff(CancellationToken cancellationToken)
    {
        // A client that reads nothing: the pump's first flush stays paused, so the queue fills.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1));
        var connection = Streams(Interval).Connection(1);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(pipe.Writer, stop.Token);
        connection.TryWrite(new SseFrame("data:a\n\n"u8.ToArray()));
        var read = await pipe.Reader.ReadAsync(cancellationToken);
        pipe.Reader.AdvanceTo(read.Buffer.Start, read.Buffer.End); // seen, not consumed: the writer stays paused
        var queued = connection.TryWrite(new SseFrame("data:b\n\n"u8.ToArray()));

        _time.Advance(Interval * 3);
        var overflowedByHeartbeats = connection.Overflowed;
        var refusedWhenFull = !connection.TryWrite(new SseFrame("data:c\n\n"u8.ToArray()));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queued, Is.True);
            Assert.That(overflowedByHeartbeats, Is.False, "heartbeats never cut a client off");
            Assert.That(refusedWhenFull, Is.True, "the queue was full: an event is refused");
        }

        await pump.WaitAsync(cancellationToken); // cut off by the refused event, its flush given up
        await pipe.Reader.CompleteAsync();
    }

    [Test]
    public async Task ZeroInterval_SendsNoHeartbeat(CancellationToken cancellationToken)
    {
        var connection = Streams(TimeSpan.Zero).Connection(4);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        _time.Advance(TimeSpan.FromHours(1));
        connection.TryWrite(new SseFrame("data:only\n\n"u8.ToArray()));
        await ReadUntilAsync("data:only\n\n", cancellationToken);

        Assert.That(_received, Is.EqualTo("data:only\n\n"), "an hour of silence sent nothing");
        await stop.CancelAsync();
        Assert.That(await pump, Is.Null, "the client left: a normal end, no failure");
    }

    [Test]
    public async Task ClientGone_TheNextHeartbeatEndsThePump_AndTheStreamLeaves(CancellationToken cancellationToken)
    {
        var streams = Streams(Interval);
        var connection = streams.Connection(4);
        var pump = connection.PumpAsync(_pipe.Writer, cancellationToken);
        await _pipe.Reader.CompleteAsync(); // the client went away; nothing tells the pump but a write

        for (var step = 0; step < 40 && !pump.IsCompleted; step++)
        {
            _time.Advance(Interval / 4);
            await Task.WhenAny(pump, Task.Delay(20, cancellationToken));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(pump.IsCompletedSuccessfully, Is.True, "the heartbeat's write found the client gone and ended the pump, without cancellation");
            Assert.That(streams.Streams.Count, Is.Zero);
            Assert.That(connection.Overflowed, Is.False);
        }
    }

    [Test]
    public async Task Heartbeats_GoOn_WhenTheFirstTickComesWhileTheTimerIsBeingMade(CancellationToken cancellationToken)
    {
        // The clock passes two intervals inside CreateTimer: the first tick runs before the timer is stored.
        var connection = Streams(Interval, new SlowToReturnTimers(_time, Interval * 2)).Connection(4);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await AdvanceUntilReceivedAsync(":heartbeat\n:heartbeat\n:heartbeat\n", cancellationToken);

        await stop.CancelAsync();
        Assert.That(await pump, Is.Null, "the client left: a normal end, no failure");
    }

    [Test]
    public async Task ManyStreams_ShareOneTimer_AndEachGetsItsHeartbeat(CancellationToken cancellationToken)
    {
        var clock = new CountingTimers(_time);
        var streams = Streams(Interval, clock);
        var pipes = Enumerable.Range(0, 50).Select(_ => new Pipe()).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pumps = pipes.Select(pipe => streams.Connection(4).PumpAsync(pipe.Writer, stop.Token)).ToList();
        await Eventually.HoldsAsync(() => Task.FromResult(streams.Streams.Count == 50), "every stream pumps");

        _time.Advance(Interval * 1.25);
        var heartbeats = await Task.WhenAll(pipes.Select(async pipe =>
        {
            var read = await pipe.Reader.ReadAsync(cancellationToken);
            var text = Encoding.UTF8.GetString(read.Buffer);
            pipe.Reader.AdvanceTo(read.Buffer.End);
            return text;
        }));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(heartbeats, Is.All.EqualTo(":heartbeat\n"));
            Assert.That(clock.Made, Is.EqualTo(1), "one timer for every stream, not one each");
        }

        await stop.CancelAsync();
        await Task.WhenAll(pumps.Select(pump => pump.ContinueWith(_ => { }, TaskScheduler.Default)));
        Assert.That(streams.Streams.Count, Is.Zero);
    }

    [Test]
    public async Task StreamsThatFellSilentTogether_GetTheirHeartbeatsSpreadOverAQuarterInterval(CancellationToken cancellationToken)
    {
        // Written all at once, the heartbeats of streams opened together would each hold a write buffer at the same instant.
        var streams = Streams(Interval);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pumps = Enumerable.Range(0, 64).Select(_ => streams.Connection(4).PumpAsync(new Pipe().Writer, stop.Token)).ToList();
        await Eventually.HoldsAsync(() => Task.FromResult(streams.Streams.Count == 64), "every stream pumps");
        var step = Interval / 64;

        var perTick = new List<int>();
        for (var i = 0; i < 80 && perTick.Sum() < 64; i++)
        {
            _time.Advance(step);
            if (streams.Streams.LastTickHeartbeats > 0 || perTick.Count > 0)
            {
                perTick.Add(streams.Streams.LastTickHeartbeats);
            }
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(perTick.Sum(), Is.EqualTo(64), "every stream got its heartbeat");
            Assert.That(perTick.Max(), Is.EqualTo(4), "a sixteenth of them at a time");
            Assert.That(perTick, Has.Count.EqualTo(16), "over a quarter interval");
        }

        await stop.CancelAsync();
        await Task.WhenAll(pumps);
    }

    [Test]
    public async Task ApplicationStopping_EndsEveryStream_AndOneThatStartsAfterwards(CancellationToken cancellationToken)
    {
        var streams = Streams(Interval);
        var first = streams.Connection(4);
        var second = streams.Connection(4);
        var pumps = new[] { first.PumpAsync(new Pipe().Writer, cancellationToken), second.PumpAsync(new Pipe().Writer, cancellationToken) };
        await Eventually.HoldsAsync(() => Task.FromResult(streams.Streams.Count == 2), "both streams pump");

        streams.StopApplication();
        await Task.WhenAll(pumps).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
        var late = streams.Connection(4).PumpAsync(new Pipe().Writer, cancellationToken);
        await late.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(streams.Streams.Count, Is.Zero);
            Assert.That(first.Overflowed || second.Overflowed, Is.False, "stopped, not cut off");
        }
    }

    private TestStreams Streams(TimeSpan interval, TimeProvider? time = null)
    {
        var streams = new TestStreams(interval, time ?? _time);
        _made.Add(streams);
        return streams;
    }

    private async Task AdvanceUntilReceivedAsync(string expected, CancellationToken cancellationToken)
    {
        // The pump registers asynchronously: step the clock until the heartbeat shows up.
        var reading = ReadUntilAsync(expected, cancellationToken);
        while (!reading.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(reading, Task.Delay(10, cancellationToken));
        }

        await reading;
    }

    private async Task ReadUntilAsync(string expectedEnd, CancellationToken cancellationToken)
    {
        while (!_received.EndsWith(expectedEnd, StringComparison.Ordinal))
        {
            var read = await _pipe.Reader.ReadAsync(cancellationToken);
            _received += Encoding.UTF8.GetString(read.Buffer);
            _pipe.Reader.AdvanceTo(read.Buffer.End);
        }
    }

    /// <summary>A clock that counts the timers made on it.</summary>
    private sealed class CountingTimers(FakeTimeProvider time) : TimeProvider
    {
        private int _made;

        public int Made => _made;

        public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

        public override long GetTimestamp() => time.GetTimestamp();

        public override long TimestampFrequency => time.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _made);
            return time.CreateTimer(callback, state, dueTime, period);
        }
    }

    /// <summary>A clock whose first <see cref="CreateTimer"/> returns only after <paramref name="late"/> has passed.</summary>
    private sealed class SlowToReturnTimers(FakeTimeProvider time, TimeSpan late) : TimeProvider
    {
        private int _made;

        public override DateTimeOffset GetUtcNow() => time.GetUtcNow();

        public override long GetTimestamp() => time.GetTimestamp();

        public override long TimestampFrequency => time.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = time.CreateTimer(callback, state, dueTime, period);
            if (Interlocked.Increment(ref _made) == 1)
            {
                time.Advance(late);
            }

            return timer;
        }
    }
}
