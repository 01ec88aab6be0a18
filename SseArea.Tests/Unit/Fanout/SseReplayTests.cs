using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;

namespace SseArea.Tests.Unit;

/// <summary>What a subscription sends first, bounded by the connection's queue.</summary>
public sealed class SseReplayTests
{
    private static SseFrame Event(string channel, string id) => SseWriter.Event(new SseMessage("x", id: id), channel);

    [Test]
    public void Bounded_WithinTheLimit_IsTheSameReplay()
    {
        var replay = new SseReplay([Event("a", "1"), Event("a", "2")], [], new Dictionary<string, string?> { ["a"] = "0" });

        Assert.That(replay.Bounded(2), Is.SameAs(replay));
    }

    [Test]
    public void Bounded_BeyondTheLimit_ReportsTheChannelsMissed_AtTheirLastSkippedEvent_AndKeepsWhatMayArriveLive()
    {
        var inFlight = Event("a", "a3");
        var replay = new SseReplay(
            [Event("a", "a1"), Event("b", "b1"), Event("a", "a2"), inFlight],
            [],
            new Dictionary<string, string?> { ["a"] = "a0", ["b"] = null, ["c"] = "c0" },
            overlap: [inFlight]);

        var bounded = replay.Bounded(3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(bounded.Frames, Is.EqualTo(new[] { inFlight }));
            Assert.That(bounded.Overlap, Is.EqualTo(new[] { inFlight }));
            Assert.That(bounded.MissedChannels, Is.EqualTo(new[] { "a", "b" }));
            Assert.That(bounded.Cursor, Is.EquivalentTo(new Dictionary<string, string?> { ["a"] = "a2", ["b"] = "b1", ["c"] = "c0" }));
        }
    }
}
