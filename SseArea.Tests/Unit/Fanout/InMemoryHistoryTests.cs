using System.Text;
using SseArea.Internal.Fanout;
using SseArea.Internal.Fanout.InMemory;
using SseArea.Internal.Wire;

namespace SseArea.Tests.Unit;

/// <summary>The in-memory broker's per-channel history: ids, the bounded ring, and what a reconnect gets.</summary>
public sealed class InMemoryHistoryTests
{
    private static async Task<List<string>> PublishAsync(InMemorySseBroker broker, string channel, params string[] data)
    {
        var ids = new List<string>();
        var listener = new RecordingListener();
        await using (await broker.SubscribeAsync([channel], listener, null, CancellationToken.None))
        {
            foreach (var item in data)
            {
                await broker.PublishAsync(channel, new SseMessage(item), CancellationToken.None);
            }
        }

        foreach (var text in listener.Texts)
        {
            ids.Add(text.Split('\n').Single(l => l.StartsWith("id:", StringComparison.Ordinal))[3..]);
        }

        return ids;
    }

    private static IEnumerable<string> Data(SseReplay replay)
        => replay.Frames.Select(f => Encoding.UTF8.GetString(f.Bytes.Span).Split('\n')[0]);

    [Test]
    public async Task Reconnect_AfterAnId_ReplaysTheEventsAfterIt()
    {
        await using var broker = new InMemorySseBroker(historyLength: 10);
        var ids = await PublishAsync(broker, "news", "a", "b", "c");

        await using var subscription = await broker.SubscribeAsync(["news"], new RecordingListener(), ids[0], CancellationToken.None);

        Assert.That(Data(subscription.Replay), Is.EqualTo(new[] { "data:b", "data:c" }));
        Assert.That(subscription.Replay.MissedChannels, Is.Empty);
    }

    [Test]
    public async Task Reconnect_AfterAnIdPushedOutOfTheRing_IsMissed()
    {
        await using var broker = new InMemorySseBroker(historyLength: 2);
        var ids = await PublishAsync(broker, "news", "a", "b", "c");

        await using var subscription = await broker.SubscribeAsync(["news"], new RecordingListener(), ids[0], CancellationToken.None);

        Assert.That(subscription.Replay.Frames, Is.Empty);
        Assert.That(subscription.Replay.MissedChannels, Is.EqualTo(new[] { "news" }));
        Assert.That(subscription.Replay.Cursor!["news"], Is.EqualTo(ids[2]), "the client resumes from the newest event");
    }

    [Test]
    public async Task Reconnect_ToSeveralChannels_ReplaysInPublicationOrder()
    {
        await using var broker = new InMemorySseBroker(historyLength: 10);
        var first = await PublishAsync(broker, "a", "a1");
        await PublishAsync(broker, "b", "b2");
        await PublishAsync(broker, "a", "a3");

        // "a" seen up to a1, nothing seen on "b" (an empty entry).
        await using var subscription = await broker.SubscribeAsync(["a", "b"], new RecordingListener(), first[0] + ",", CancellationToken.None);

        Assert.That(Data(subscription.Replay), Is.EqualTo(new[] { "data:b2", "data:a3" }));
    }

    [Test]
    public async Task HistoryOff_EventsHaveNoIdAndNothingIsReplayed()
    {
        await using var broker = new InMemorySseBroker();
        var listener = new RecordingListener();
        await using (await broker.SubscribeAsync(["news"], listener, null, CancellationToken.None))
        {
            await broker.PublishAsync("news", new SseMessage("a"), CancellationToken.None);
        }

        await using var subscription = await broker.SubscribeAsync(["news"], new RecordingListener(), "1", CancellationToken.None);

        Assert.That(listener.Texts, Is.EqualTo(new[] { "data:a\n\n" }));
        Assert.That(subscription.Replay, Is.SameAs(SseReplay.None));
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task ConcurrentPublishesOnSeveralChannels_NumberEachChannelOnItsOwn_WithoutAGap()
    {
        await using var broker = new InMemorySseBroker(historyLength: 10);
        var channels = Enumerable.Range(0, 4).Select(i => "race" + i).ToArray();
        var listeners = channels.Select(_ => new IdListener()).ToArray();
        for (var i = 0; i < channels.Length; i++)
        {
            await broker.SubscribeAsync([channels[i]], listeners[i], null, CancellationToken.None);
        }

        const int PerChannel = 50_000;
        using var start = new Barrier(channels.Length);
        await Task.WhenAll(channels.Select(channel => Task.Run(async () =>
        {
            start.SignalAndWait();
            for (var n = 0; n < PerChannel; n++)
            {
                await broker.PublishAsync(channel, new SseMessage("x"), CancellationToken.None);
            }
        })));

        var all = listeners.SelectMany(l => l.Ids).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(all, Has.Count.EqualTo(channels.Length * PerChannel));
            foreach (var listener in listeners)
            {
                // A gap would tell a subscriber of one channel how much another channel (maybe a protected one) carries.
                var ids = listener.Ids.Select(long.Parse).ToList();
                Assert.That(ids, Is.EqualTo(Enumerable.Range(1, PerChannel).Select(n => (long)n)), "1, 2, 3... in delivery order, whatever the other channels publish");
            }
        }
    }

    [Test]
    public async Task Subscribers_OfChannelsNobodyPublishesTo_KeepNoHistory()
    {
        await using var broker = new InMemorySseBroker(historyLength: 10);
        for (var i = 0; i < 100; i++)
        {
            await using var subscription = await broker.SubscribeAsync(["quiet" + i], new RecordingListener(), null, CancellationToken.None);
            Assert.That(subscription.Replay.Cursor!["quiet" + i], Is.Null, "the empty position");
        }

        await broker.PublishAsync("loud", new SseMessage("x"), CancellationToken.None);

        Assert.That(broker.HistoryCount, Is.EqualTo(1));
    }

    [Test]
    public async Task Subscribe_ToAChannelWithoutHistory_WithAnUnknownId_IsMissed_AndFromTheStartIsNot()
    {
        await using var broker = new InMemorySseBroker(historyLength: 10);

        await using var unknown = await broker.SubscribeAsync(["quiet"], new RecordingListener(), "17", CancellationToken.None);
        await using var fromStart = await broker.SubscribeAsync(["quiet"], new RecordingListener(), SseCursor.Start, CancellationToken.None);

        Assert.That(unknown.Replay.MissedChannels, Is.EqualTo(new[] { "quiet" }));
        Assert.That(fromStart.Replay.MissedChannels, Is.Empty);
    }

    [Test]
    [CancelAfter(60_000)]
    public async Task SubscribeRacingTheFirstPublish_GetsTheEventLive_OrHasItInItsPosition()
    {
        await using var broker = new InMemorySseBroker(historyLength: 10);
        for (var i = 0; i < 10_000; i++)
        {
            var channel = "race." + i;
            var listener = new IdListener();
            using var start = new Barrier(2);
            var publishing = Task.Run(async () =>
            {
                start.SignalAndWait();
                await broker.PublishAsync(channel, new SseMessage("x"), CancellationToken.None);
            });
            var subscribing = Task.Run(async () =>
            {
                start.SignalAndWait();
                return await broker.SubscribeAsync([channel], listener, null, CancellationToken.None);
            });
            await publishing;
            await using var subscription = await subscribing;

            var position = subscription.Replay.Cursor![channel];
            Assert.That(listener.Ids.Count == 1 ^ position is not null, Is.True, $"attempt {i}: received {listener.Ids.Count}, position '{position}'");
        }
    }

    private sealed class IdListener : ISseListener
    {
        public List<string> Ids { get; } = [];

        public bool TryWrite(SseArea.Internal.Wire.SseFrame frame)
        {
            Ids.Add(frame.Id!);
            return true;
        }
    }
}
