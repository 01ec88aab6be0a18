using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;

namespace SseArea.Tests.Unit;

/// <summary>The in-process fan-out: who listens to what, and who got each frame.</summary>
public sealed class ListenerRegistryTests
{
    private static readonly SseFrame Frame = new("data:x\n\n"u8.ToArray());

    [Test]
    public void Add_FirstListenerOfAChannel_ReturnsTrue()
    {
        var registry = new ListenerRegistry();

        Assert.That(registry.Add("news", new RecordingListener()), Is.True);
    }

    [Test]
    public void Add_SecondListenerOfAChannel_ReturnsFalse()
    {
        var registry = new ListenerRegistry();
        registry.Add("news", new RecordingListener());

        Assert.That(registry.Add("news", new RecordingListener()), Is.False);
    }

    [Test]
    public void Add_FirstListenerOfAnotherChannel_ReturnsTrue()
    {
        var registry = new ListenerRegistry();
        registry.Add("news", new RecordingListener());

        Assert.That(registry.Add("sport", new RecordingListener()), Is.True);
    }

    [Test]
    public void Add_ChannelNamesDifferingInCase_AreDifferentChannels()
    {
        var registry = new ListenerRegistry();
        registry.Add("news", new RecordingListener());

        Assert.That(registry.Add("News", new RecordingListener()), Is.True);
    }

    [Test]
    public void Remove_NotTheLastListener_ReturnsFalse()
    {
        var registry = new ListenerRegistry();
        var first = new RecordingListener();
        registry.Add("news", first);
        registry.Add("news", new RecordingListener());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(registry.Remove("news", first), Is.False);
            Assert.That(registry.Count("news"), Is.EqualTo(1));
        }
    }

    [Test]
    public void Remove_TheLastListener_ReturnsTrue()
    {
        var registry = new ListenerRegistry();
        var first = new RecordingListener();
        var second = new RecordingListener();
        registry.Add("news", first);
        registry.Add("news", second);
        registry.Remove("news", first);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(registry.Remove("news", second), Is.True);
            Assert.That(registry.Count("news"), Is.Zero);
        }
    }

    [Test]
    public void Add_AfterTheChannelEmptied_IsFirstAgain()
    {
        var registry = new ListenerRegistry();
        var listener = new RecordingListener();
        registry.Add("news", listener);
        registry.Remove("news", listener);

        Assert.That(registry.Add("news", listener), Is.True);
    }

    [Test]
    public void Remove_UnknownListener_ReturnsFalseAndKeepsTheOthers()
    {
        var registry = new ListenerRegistry();
        registry.Add("news", new RecordingListener());

        using (Assert.EnterMultipleScope())
        {
            Assert.That(registry.Remove("news", new RecordingListener()), Is.False);
            Assert.That(registry.Count("news"), Is.EqualTo(1));
        }
    }

    [Test]
    public void Remove_FromUnknownChannel_ReturnsFalse()
    {
        Assert.That(new ListenerRegistry().Remove("nobody", new RecordingListener()), Is.False);
    }

    [Test]
    public void Remove_MiddleListener_KeepsDeliveringToTheOthers()
    {
        var registry = new ListenerRegistry();
        var a = new RecordingListener();
        var b = new RecordingListener();
        var c = new RecordingListener();
        registry.Add("news", a);
        registry.Add("news", b);
        registry.Add("news", c);
        registry.Remove("news", b);

        var delivered = registry.Deliver("news", Frame, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(delivered, Is.EqualTo(2));
            Assert.That(a.Frames, Has.Count.EqualTo(1));
            Assert.That(b.Frames, Is.Empty);
            Assert.That(c.Frames, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void Deliver_ToChannelWithoutListeners_ReturnsZero()
    {
        Assert.That(new ListenerRegistry().Deliver("nobody", Frame, out _), Is.Zero);
    }

    [Test]
    public void Deliver_CountsOnlyTheListenersThatTookTheFrame()
    {
        var registry = new ListenerRegistry();
        registry.Add("news", new RecordingListener());
        registry.Add("news", new RecordingListener(accepts: false));
        registry.Add("news", new RecordingListener());

        Assert.That(registry.Deliver("news", Frame, out _), Is.EqualTo(2));
    }

    [Test]
    public void Deliver_HandsTheSameFrameInstanceToEveryListener()
    {
        var registry = new ListenerRegistry();
        var listeners = Enumerable.Range(0, 3).Select(_ => new RecordingListener()).ToList();
        listeners.ForEach(l => registry.Add("news", l));

        registry.Deliver("news", Frame, out _);

        Assert.That(listeners.Select(l => l.Frames.Single()), Has.All.Matches<ReadOnlyMemory<byte>>(f => f.Equals(Frame.Bytes)));
    }

    [Test]
    public void Deliver_OnlyReachesTheNamedChannel()
    {
        var registry = new ListenerRegistry();
        var news = new RecordingListener();
        var sport = new RecordingListener();
        registry.Add("news", news);
        registry.Add("sport", sport);

        registry.Deliver("news", Frame, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(news.Frames, Has.Count.EqualTo(1));
            Assert.That(sport.Frames, Is.Empty);
        }
    }

    [Test]
    public void Deliver_ChannelNamedStar_IsAPlainName()
    {
        var registry = new ListenerRegistry();
        var star = new RecordingListener();
        registry.Add("*", star);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(registry.Deliver("news", Frame, out _), Is.Zero);
            Assert.That(registry.Deliver("*", Frame, out _), Is.EqualTo(1));
        }
    }

    [Test]
    public void Count_TracksAddsAndRemoves()
    {
        var registry = new ListenerRegistry();
        var a = new RecordingListener();
        var b = new RecordingListener();

        registry.Add("news", a);
        registry.Add("news", b);
        var afterAdds = registry.Count("news");
        registry.Remove("news", a);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(afterAdds, Is.EqualTo(2));
            Assert.That(registry.Count("news"), Is.EqualTo(1));
            Assert.That(registry.Count("other"), Is.Zero);
        }
    }

    [Test]
    public void ManyAddsAndRemoves_InAnyOrder_DeliverToExactlyTheListenersLeft()
    {
        // Enough to grow the slot array several times and compact it on the way down.
        var registry = new ListenerRegistry();
        var listeners = Enumerable.Range(0, 300).Select(_ => new RecordingListener()).ToList();
        listeners.ForEach(l => registry.Add("news", l));
        var removed = listeners.Where((_, i) => i % 3 != 0).ToList();
        removed.ForEach(l => registry.Remove("news", l));
        var late = new RecordingListener();
        registry.Add("news", late);

        var delivered = registry.Deliver("news", Frame, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(delivered, Is.EqualTo(101));
            Assert.That(registry.Count("news"), Is.EqualTo(101));
            Assert.That(listeners.Where((_, i) => i % 3 == 0).Append(late), Has.All.Matches<RecordingListener>(l => l.Frames.Count == 1));
            Assert.That(removed, Has.All.Matches<RecordingListener>(l => l.Frames.Count == 0));
        }
    }

    [Test]
    public void RemovingAll_ButOne_InReverseOrder_LeavesTheFirst_AndTheChannelEmptiesAfterIt()
    {
        var registry = new ListenerRegistry();
        var listeners = Enumerable.Range(0, 50).Select(_ => new RecordingListener()).ToList();
        listeners.ForEach(l => registry.Add("news", l));

        var lastFlags = Enumerable.Range(1, 49).Reverse().Select(i => registry.Remove("news", listeners[i])).ToList();
        var delivered = registry.Deliver("news", Frame, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lastFlags, Has.None.True, "no removal but the very last empties the channel");
            Assert.That(delivered, Is.EqualTo(1));
            Assert.That(listeners[0].Frames, Has.Count.EqualTo(1));
            Assert.That(registry.Remove("news", listeners[0]), Is.True);
            Assert.That(registry.Channels, Is.Empty);
        }
    }

    [Test]
    public void TheSameListenerAddedTwice_GetsTheFrameTwice_AndIsRemovedOnceAtATime()
    {
        var registry = new ListenerRegistry();
        var listener = new RecordingListener();
        registry.Add("news", listener);
        registry.Add("news", listener);

        var removedFirst = registry.Remove("news", listener);
        var delivered = registry.Deliver("news", Frame, out _);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(removedFirst, Is.False);
            Assert.That(delivered, Is.EqualTo(1));
            Assert.That(registry.Remove("news", listener), Is.True);
        }
    }

    [Test]
    [CancelAfter(20_000)]
    public async Task DeliveringWhileListenersComeAndGo_ReachesEveryListenerThatStays(CancellationToken cancellationToken)
    {
        var registry = new ListenerRegistry();
        var stayers = Enumerable.Range(0, 20).Select(_ => new CountingListener()).ToList();
        stayers.ForEach(l => registry.Add("news", l));
        const int Frames = 2_000;

        var churn = Task.Run(
            () =>
            {
                for (var i = 0; i < 20_000 && !cancellationToken.IsCancellationRequested; i++)
                {
                    var visitor = new CountingListener();
                    registry.Add("news", visitor);
                    registry.Remove("news", visitor);
                }
            },
            cancellationToken);
        for (var i = 0; i < Frames; i++)
        {
            registry.Deliver("news", Frame, out _);
        }

        await churn;

        Assert.That(stayers.Select(l => l.Count), Has.All.EqualTo(Frames));
    }

    [Test]
    public void Deliver_Frames_GivesEveryListenerAllOfThemInOrder_AndCountsTheRefused()
    {
        var registry = new ListenerRegistry();
        RecordingListener first = new(), second = new(), refusing = new(accepts: false);
        registry.Add("news", first);
        registry.Add("news", refusing);
        registry.Add("news", second);
        SseFrame[] frames = [new("data:1\n\n"u8.ToArray()), new("data:2\n\n"u8.ToArray()), new("data:3\n\n"u8.ToArray())];

        var delivered = registry.Deliver("news", frames, out var refused);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(delivered, Is.EqualTo(6));
            Assert.That(refused, Is.EqualTo(3));
            Assert.That(first.Texts, Is.EqualTo(new[] { "data:1\n\n", "data:2\n\n", "data:3\n\n" }));
            Assert.That(second.Texts, Is.EqualTo(first.Texts));
        }
    }

    [Test]
    public void Deliver_Frames_ToAStreamThatFillsUp_CountsTheRestAsRefused()
    {
        var registry = new ListenerRegistry();
        using var streams = new TestStreams(TimeSpan.Zero);
        var stream = streams.Connection(2);
        registry.Add("news", stream);

        var delivered = registry.Deliver("news", [Frame, Frame, Frame, Frame], out var refused);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(delivered, Is.EqualTo(2));
            Assert.That(refused, Is.EqualTo(2));
            Assert.That(stream.Overflowed, Is.True);
        }
    }

    private sealed class CountingListener : ISseListener
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public bool TryWrite(SseArea.Internal.Wire.SseFrame frame)
        {
            Interlocked.Increment(ref _count);
            return true;
        }
    }
}
