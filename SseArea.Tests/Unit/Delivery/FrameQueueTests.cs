using System.Text;
using SseArea.Internal.Delivery;
using SseArea.Internal.Wire;

namespace SseArea.Tests.Unit;

/// <summary>One client's bounded queue: a slow client is cut off, not buffered without end.</summary>
public sealed class FrameQueueTests
{
    private static SseFrame Frame(string text) => new(Encoding.UTF8.GetBytes(text));

    [Test]
    public void TryWrite_WithinCapacity_TakesTheFrame()
    {
        var queue = new FrameQueue(capacity: 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.TryWrite(Frame("a")), Is.True);
            Assert.That(queue.TryWrite(Frame("b")), Is.True);
            Assert.That(queue.Overflowed, Is.False);
        }
    }

    [Test]
    public void TryWrite_BeyondCapacity_ReturnsFalseAndMarksOverflowed()
    {
        var queue = new FrameQueue(capacity: 2);
        queue.TryWrite(Frame("a"));
        queue.TryWrite(Frame("b"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.TryWrite(Frame("c")), Is.False);
            Assert.That(queue.Overflowed, Is.True);
        }
    }

    [Test]
    public void TryWrite_BeyondTheByteBudget_CutsOff_CountingWhatWasTakenButNotFlushed()
    {
        var queue = new FrameQueue(capacity: 100, byteBudget: 1000);
        var frame = new SseFrame(new byte[400]);
        Assert.That(queue.TryWrite(frame) && queue.TryWrite(frame), Is.True, "800 bytes");
        queue.TakeAll(); // written by the pump, not flushed yet: still counted

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.TryWrite(frame), Is.False, "1 200 bytes: over the budget");
            Assert.That(queue.Overflowed, Is.True);
        }
    }

    [Test]
    public void TryWrite_AfterAFlush_CountsOnlyWhatWaits_AndOneFrameAlwaysFitsAnEmptyQueue()
    {
        var queue = new FrameQueue(capacity: 100, byteBudget: 1000);
        Assert.That(queue.TryWrite(new SseFrame(new byte[1500])), Is.True, "alone, even over the budget");
        var (batch, count) = queue.TakeAll();
        queue.Flushed(batch, count);

        Assert.That(queue.TryWrite(new SseFrame(new byte[900])), Is.True, "the flushed bytes no longer count");
    }

    [Test]
    public async Task TryWrite_Frames_TakesThemAllInOrder_AndWakesThePumpOnce()
    {
        var queue = new FrameQueue(capacity: 10);
        var waiting = queue.WaitToReadAsync();
        Assert.That(waiting.IsCompleted, Is.False, "nothing queued: the pump waits");

        var taken = queue.TryWrite([Frame("a"), Frame("b"), Frame("c")]);

        Assert.That(await waiting.AsTask().WaitAsync(TimeSpan.FromSeconds(5)), Is.True);
        var (batch, count) = queue.TakeAll();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(taken, Is.EqualTo(3));
            Assert.That(batch.Take(count).Select(f => Encoding.UTF8.GetString(f!.Bytes.Span)), Is.EqualTo(new[] { "a", "b", "c" }), "one batch, in order");
        }
    }

    [Test]
    public void TryWrite_Frames_PastTheCapacity_TakesWhatFits_CutsOff_AndThenTakesNone()
    {
        var queue = new FrameQueue(capacity: 2);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.TryWrite([Frame("a"), Frame("b"), Frame("c")]), Is.EqualTo(2));
            Assert.That(queue.Overflowed, Is.True);
            Assert.That(queue.TryWrite([Frame("d")]), Is.Zero);
            Assert.That(queue.TakeAll().Count, Is.EqualTo(2), "what was taken is still written");
        }
    }

    [Test]
    public void TryWrite_Frames_PastTheByteBudget_TakesWhatFits_AndCutsOff()
    {
        var queue = new FrameQueue(capacity: 100, byteBudget: 1000);
        var frame = new SseFrame(new byte[400]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.TryWrite([frame, frame, frame]), Is.EqualTo(2), "1 200 bytes: the third is over the budget");
            Assert.That(queue.Overflowed, Is.True);
        }
    }

    [Test]
    public void TryWrite_AfterOverflow_KeepsRefusing()
    {
        var queue = new FrameQueue(capacity: 1);
        queue.TryWrite(Frame("a"));
        queue.TryWrite(Frame("b"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.TryWrite(Frame("c")), Is.False);
            Assert.That(queue.Overflowed, Is.True);
        }
    }

    [Test]
    public void Overflowed_OfANewQueue_IsFalse()
    {
        Assert.That(new FrameQueue(capacity: 1).Overflowed, Is.False);
    }

    [Test]
    public void Capacity_BelowOne_IsRefused()
    {
        Assert.That(() => new FrameQueue(capacity: 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void Heartbeat_IntoAFullQueue_IsSkipped_NotACutOff()
    {
        var queue = new FrameQueue(capacity: 1);
        queue.TryWrite(Frame("a"));

        queue.TryWriteHeartbeat();

        var (batch, count) = queue.TakeAll();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(queue.Overflowed, Is.False, "heartbeats never cut a client off");
            Assert.That(count, Is.EqualTo(1));
            Assert.That(batch[0]!.Bytes.ToArray(), Is.EqualTo("a"u8.ToArray()));
        }
    }

    [Test]
    public async Task Ended_CompletesOnOverflow_AndOnStop_WhicheverComesFirst()
    {
        var overflowed = new FrameQueue(capacity: 1);
        var stopped = new FrameQueue(capacity: 1);
        var waiting = overflowed.Ended();
        overflowed.TryWrite(Frame("a"));
        overflowed.TryWrite(Frame("b"));
        stopped.Stop();

        await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        await stopped.Ended().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.That(stopped.Overflowed, Is.False, "a stopped stream is not a slow client");
    }

    [TestCase(false, 512)]
    [TestCase(true, 4)]
    public void ShrinkWhenIdle_AfterABurst_DropsTheBurstSizedArrays_OnlyWhileThePumpWaits(bool pumpWaits, int arrayAfterwards)
    {
        var queue = new FrameQueue(capacity: 1_000);
        for (var i = 0; i < 500; i++)
        {
            queue.TryWrite(Frame("x"));
        }

        var (burst, count) = queue.TakeAll();
        queue.Flushed(burst, count);
        if (pumpWaits)
        {
            Assert.That(queue.WaitToReadAsync().AsTask().IsCompleted, Is.False, "nothing queued: the pump waits");
        }

        queue.ShrinkWhenIdle();

        // The two arrays take turns: the second batch after the burst is the burst's array unless it was dropped.
        queue.TryWrite(Frame("a"));
        var (first, one) = queue.TakeAll();
        queue.Flushed(first, one);
        queue.TryWrite(Frame("b"));
        var (second, _) = queue.TakeAll();
        Assert.That(second, Has.Length.EqualTo(arrayAfterwards));
    }
}
