using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using SseArea.Brokers;
using SseArea.Streaming;

namespace SseArea.Tests.Unit;

/// <summary>Heartbeats and replay as one connection writes them, on a fake clock.</summary>
[CancelAfter(10_000)]
[FixtureLifeCycle(LifeCycle.InstancePerTestCase)]
public sealed class SseConnectionHeartbeatTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(15);

    private readonly FakeTimeProvider _time = new();
    private readonly Pipe _pipe = new();
    private string _received = string.Empty;

    [Test]
    public async Task Silence_OfTheInterval_SendsAHeartbeatComment(CancellationToken cancellationToken)
    {
        var connection = new SseConnection(4, ["news"], Interval, _time);
        var start = _time.GetUtcNow();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await AdvanceUntilReceivedAsync(":heartbeat\n\n", cancellationToken);

        Assert.That(_time.GetUtcNow() - start, Is.GreaterThanOrEqualTo(Interval), "not before the interval");
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Event_ResetsTheHeartbeatTimer(CancellationToken cancellationToken)
    {
        var connection = new SseConnection(4, ["news"], Interval, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        _time.Advance(TimeSpan.FromSeconds(10));
        connection.TryWrite(Encoding.UTF8.GetBytes("data:x\n\n"));
        await ReadUntilAsync("data:x\n\n", cancellationToken);
        var eventTime = _time.GetUtcNow();
        await AdvanceUntilReceivedAsync("data:x\n\n:heartbeat\n\n", cancellationToken);

        // Without the reset, the heartbeat would have come 5 s after the event (15 s after the start).
        Assert.That(_time.GetUtcNow() - eventTime, Is.GreaterThanOrEqualTo(Interval));
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Heartbeat_IntoAFullQueue_IsSkipped_NotACutOff(CancellationToken cancellationToken)
    {
        // A client that reads nothing: the pump's first flush stays paused, so the queue fills.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1, resumeWriterThreshold: 1));
        var connection = new SseConnection(1, ["news"], Interval, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(pipe.Writer, stop.Token);
        connection.TryWrite(Encoding.UTF8.GetBytes("data:a\n\n"));
        var read = await pipe.Reader.ReadAsync(cancellationToken);
        pipe.Reader.AdvanceTo(read.Buffer.Start, read.Buffer.End); // seen, not consumed: the writer stays paused
        var queued = connection.TryWrite(Encoding.UTF8.GetBytes("data:b\n\n"));

        _time.Advance(Interval * 3);
        var overflowedByHeartbeats = connection.Overflowed;
        var refusedWhenFull = !connection.TryWrite(Encoding.UTF8.GetBytes("data:c\n\n"));

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
        var connection = new SseConnection(4, ["news"], TimeSpan.Zero, _time);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        _time.Advance(TimeSpan.FromHours(1));
        connection.TryWrite(Encoding.UTF8.GetBytes("data:only\n\n"));
        await ReadUntilAsync("data:only\n\n", cancellationToken);

        Assert.That(_received, Is.EqualTo("data:only\n\n"), "an hour of silence sent nothing");
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task ClientGone_TheNextHeartbeatEndsThePump(CancellationToken cancellationToken)
    {
        var connection = new SseConnection(4, ["news"], Interval, _time);
        var pump = connection.PumpAsync(_pipe.Writer, cancellationToken);

        await _pipe.Reader.CompleteAsync(); // the client went away

        while (!pump.IsCompleted)
        {
            _time.Advance(Interval);
            await Task.WhenAny(pump, Task.Delay(20, cancellationToken));
        }

        await pump; // ended by itself, without cancellation
    }

    [Test]
    public async Task Replay_IsWrittenFirst_WithTheMissedNoticeBeforeIt(CancellationToken cancellationToken)
    {
        var connection = new SseConnection(4, ["news"], TimeSpan.Zero, _time);
        var replayed = SseEventFormatter.FormatFrame(new SseMessage("old", id: "7"), "news");
        connection.SetReplay(new SseReplay([replayed], ["news"], new Dictionary<string, string?> { ["news"] = "6" }));
        connection.TryWrite(SseEventFormatter.FormatFrame(new SseMessage("live", id: "8"), "news"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await ReadUntilAsync("data:live\nid:8\n\n", cancellationToken);

        Assert.That(_received, Is.EqualTo("event:sse-missed\ndata:{\"channels\":[\"news\"]}\nid:6\n\ndata:old\nid:7\n\ndata:live\nid:8\n\n"));
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task OverlappingLiveEvents_AreNotWrittenTwice(CancellationToken cancellationToken)
    {
        var connection = new SseConnection(8, ["news"], TimeSpan.Zero, _time);
        SseFrame Event(string id) => SseEventFormatter.FormatFrame(new SseMessage("e" + id, id: id), "news");
        connection.SetReplay(new SseReplay([Event("1"), Event("2")], [], new Dictionary<string, string?> { ["news"] = "0" }, overlap: [Event("1"), Event("2")]));
        connection.TryWrite(Event("2"));
        connection.TryWrite(Event("3"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await ReadUntilAsync("data:e3\nid:3\n\n", cancellationToken);

        Assert.That(_received, Is.EqualTo("id:0\n\ndata:e1\nid:1\n\ndata:e2\nid:2\n\ndata:e3\nid:3\n\n"));
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task OverlapCheck_EndsAtTheFirstLiveEventNotReplayed_SoARepeatedPublisherIdIsStillDelivered(CancellationToken cancellationToken)
    {
        var connection = new SseConnection(8, ["news"], TimeSpan.Zero, _time);
        SseFrame Event(string data, string id) => SseEventFormatter.FormatFrame(new SseMessage(data, id: id), "news");
        var replayed = Event("old", "order-17");
        connection.SetReplay(new SseReplay([replayed], [], new Dictionary<string, string?> { ["news"] = null }, overlap: [replayed]));
        connection.TryWrite(Event("new-1", "order-18"));
        connection.TryWrite(Event("new-2", "order-17"));
        connection.TryWrite(Event("new-3", "order-19"));
        connection.TryWrite(Event("old", "order-17")); // the same event again: no longer checked either
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await ReadUntilAsync("data:old\nid:order-17\n\n", cancellationToken, after: "new-3");

        Assert.That(_received, Is.EqualTo("id:0-0\n\ndata:old\nid:order-17\n\ndata:new-1\nid:order-18\n\ndata:new-2\nid:order-17\n\ndata:new-3\nid:order-19\n\ndata:old\nid:order-17\n\n"));
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task OverlapCheck_ALiveEventWithAReplayedIdButOtherData_IsWritten(CancellationToken cancellationToken)
    {
        var connection = new SseConnection(8, ["news"], TimeSpan.Zero, _time);
        SseFrame Event(string data, string id) => SseEventFormatter.FormatFrame(new SseMessage(data, id: id), "news");
        var replayed = Event("old", "order-17");
        connection.SetReplay(new SseReplay([replayed], [], new Dictionary<string, string?> { ["news"] = null }, overlap: [replayed]));
        connection.TryWrite(Event("new", "order-17"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await ReadUntilAsync("data:new\nid:order-17\n\n", cancellationToken);

        Assert.That(_received, Is.EqualTo("id:0-0\n\ndata:old\nid:order-17\n\ndata:new\nid:order-17\n\n"));
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [TestCase("41", "id:41\n\n")]
    [TestCase(null, "id:0-0\n\n")]
    public async Task WithHistory_ThePositionIsWrittenFirst_BeforeAnyEvent(string? position, string expected, CancellationToken cancellationToken)
    {
        var connection = new SseConnection(4, ["news"], TimeSpan.Zero, _time);
        connection.SetReplay(new SseReplay([], [], new Dictionary<string, string?> { ["news"] = position }));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await ReadUntilAsync("\n\n", cancellationToken);

        Assert.That(_received, Is.EqualTo(expected));
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task MissedNotice_OfAnEmptyChannel_CarriesTheStartPosition_NotAnEmptyId(CancellationToken cancellationToken)
    {
        var connection = new SseConnection(4, ["news"], TimeSpan.Zero, _time);
        connection.SetReplay(new SseReplay([], ["news"], new Dictionary<string, string?> { ["news"] = null }));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await ReadUntilAsync("\n\n", cancellationToken);

        Assert.That(_received, Is.EqualTo("event:sse-missed\ndata:{\"channels\":[\"news\"]}\nid:0-0\n\n"));
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task HistoryOff_NothingIsWrittenBeforeTheFirstEvent(CancellationToken cancellationToken)
    {
        var connection = new SseConnection(4, ["news"], TimeSpan.Zero, _time);
        connection.SetReplay(SseReplay.None);
        connection.TryWrite(SseEventFormatter.FormatFrame(new SseMessage("x"), "news"));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await ReadUntilAsync("\n\n", cancellationToken);

        Assert.That(_received, Is.EqualTo("data:x\n\n"));
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task SeveralChannels_WriteOneIdPerChannel_AroundTheSharedFrame(CancellationToken cancellationToken)
    {
        var connection = new SseConnection(8, ["a", "b,c"], TimeSpan.Zero, _time);
        connection.SetReplay(new SseReplay([], [], new Dictionary<string, string?> { ["a"] = "5", ["b,c"] = null }));
        var shared = SseEventFormatter.FormatFrame(new SseMessage("x", type: "t", id: "9", retry: 100), "b,c");
        connection.TryWrite(shared);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await ReadUntilAsync("id:5,9\n\n", cancellationToken);

        Assert.That(_received, Is.EqualTo("id:5,\n\nevent:t\ndata:x\nretry:100\nid:5,9\n\n"), "the position first, then the event");
        Assert.That(Encoding.UTF8.GetString(shared.Bytes.Span), Is.EqualTo("event:t\ndata:x\nid:9\nretry:100\n\n"), "the shared bytes are untouched");
        Assert.That(SseCursor.Decode("5,9", 2), Is.EqualTo(new[] { "5", "9" }));
        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Heartbeats_GoOn_WhenTheFirstTickCameBeforeTheTimerWasStored(CancellationToken cancellationToken)
    {
        // A pump thread held up for a whole interval between making its timer and storing it: the
        // clock passes the interval inside CreateTimer. The heartbeats must still come, every interval.
        var connection = new SseConnection(4, ["news"], Interval, new SlowToReturnTimers(_time, Interval * 2));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pump = connection.PumpAsync(_pipe.Writer, stop.Token);

        await AdvanceUntilReceivedAsync(":heartbeat\n\n:heartbeat\n\n:heartbeat\n\n", cancellationToken);

        await stop.CancelAsync();
        Assert.That(async () => await pump, Throws.InstanceOf<OperationCanceledException>());
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

    private async Task AdvanceUntilReceivedAsync(string expected, CancellationToken cancellationToken)
    {
        // The pump arms its timer asynchronously: step the clock until the heartbeat shows up.
        var reading = ReadUntilAsync(expected, cancellationToken);
        while (!reading.IsCompleted)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.WhenAny(reading, Task.Delay(10, cancellationToken));
        }

        await reading;
    }

    private async Task ReadUntilAsync(string expectedEnd, CancellationToken cancellationToken, string? after = null)
    {
        while (!_received.EndsWith(expectedEnd, StringComparison.Ordinal) || (after is not null && !_received.Contains(after, StringComparison.Ordinal)))
        {
            var read = await _pipe.Reader.ReadAsync(cancellationToken);
            _received += Encoding.UTF8.GetString(read.Buffer);
            _pipe.Reader.AdvanceTo(read.Buffer.End);
        }
    }
}
