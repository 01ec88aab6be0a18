using System.Buffers;
using System.Text;
using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;

namespace SseArea.Tests.Unit;

/// <summary>What a stream writes before live events, and which live events it recognises as ones the client has.</summary>
public sealed class SseResumeTests
{
    private static SseFrame Event(string data, string id, string channel = "news") => SseWriter.Event(new SseMessage(data, id: id), channel);

    /// <summary>What the stream writes: the start, then each live frame the resume state does not skip.</summary>
    private static string Written(SseReplay replay, IReadOnlyList<string> channels, params SseFrame[] live)
    {
        var output = new ArrayBufferWriter<byte>();
        var resume = SseResume.For(replay, channels);
        if (resume is null)
        {
            foreach (var frame in live)
            {
                output.Write(frame.Bytes.Span);
            }

            return Encoding.UTF8.GetString(output.WrittenSpan);
        }

        resume.WriteStart(output);
        foreach (var frame in live.Where(frame => !resume.Skips(frame)))
        {
            resume.Write(output, frame);
        }

        return Encoding.UTF8.GetString(output.WrittenSpan);
    }

    [Test]
    public void HistoryOff_HasNoResumeState_AndNothingComesBeforeTheFirstEvent()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(SseResume.For(SseReplay.None, ["news"]), Is.Null);
            Assert.That(Written(SseReplay.None, ["news"], SseWriter.Event(new SseMessage("x"), "news")), Is.EqualTo("data:x\n\n"));
        }
    }

    [Test]
    public void Replay_IsWrittenFirst_WithTheMissedNoticeBeforeIt()
    {
        var replay = new SseReplay([Event("old", "7")], ["news"], new Dictionary<string, string?> { ["news"] = "6" });

        Assert.That(
            Written(replay, ["news"], Event("live", "8")),
            Is.EqualTo("event:sse-missed\ndata:{\"channels\":[\"news\"]}\nid:6\n\ndata:old\nid:7\n\ndata:live\nid:8\n\n"));
    }

    [Test]
    public void OverlappingLiveEvents_AreNotWrittenTwice()
    {
        var replay = new SseReplay([Event("e1", "1"), Event("e2", "2")], [], new Dictionary<string, string?> { ["news"] = "0" }, overlap: [Event("e1", "1"), Event("e2", "2")]);

        Assert.That(Written(replay, ["news"], Event("e2", "2"), Event("e3", "3")), Is.EqualTo("event:sse-position\ndata:{\"lastEventId\":\"0\"}\nid:0\n\ndata:e1\nid:1\n\ndata:e2\nid:2\n\ndata:e3\nid:3\n\n"));
    }

    [Test]
    public void OverlapCheck_EndsAtTheFirstLiveEventNotReplayed_SoARepeatedPublisherIdIsStillDelivered()
    {
        var replayed = Event("old", "order-17");
        var replay = new SseReplay([replayed], [], new Dictionary<string, string?> { ["news"] = null }, overlap: [replayed]);

        Assert.That(
            Written(replay, ["news"], Event("new-1", "order-18"), Event("new-2", "order-17"), Event("new-3", "order-19"), Event("old", "order-17")),
            Is.EqualTo("event:sse-position\ndata:{\"lastEventId\":\"0-0\"}\nid:0-0\n\ndata:old\nid:order-17\n\ndata:new-1\nid:order-18\n\ndata:new-2\nid:order-17\n\ndata:new-3\nid:order-19\n\ndata:old\nid:order-17\n\n"));
    }

    [Test]
    public void OverlapCheck_ALiveEventWithAReplayedIdButOtherData_IsWritten()
    {
        var replayed = Event("old", "order-17");
        var replay = new SseReplay([replayed], [], new Dictionary<string, string?> { ["news"] = null }, overlap: [replayed]);

        Assert.That(Written(replay, ["news"], Event("new", "order-17")), Is.EqualTo("event:sse-position\ndata:{\"lastEventId\":\"0-0\"}\nid:0-0\n\ndata:old\nid:order-17\n\ndata:new\nid:order-17\n\n"));
    }

    [Test]
    public void LiveEvents_AtOrBelowTheClientsEntryIdPosition_AreSkipped_UntilTheFirstNewerOne()
    {
        // Another stream of this process already followed the channel: its dispatch can lag the history read.
        var replay = new SseReplay([], [], new Dictionary<string, string?> { ["news"] = "1700-5" });

        Assert.That(
            Written(replay, ["news"], Event("had", "1700-4"), Event("had too", "1700-5"), Event("new", "1700-6"), Event("later", "1700-1")),
            Is.EqualTo("event:sse-position\ndata:{\"lastEventId\":\"1700-5\"}\nid:1700-5\n\ndata:new\nid:1700-6\n\ndata:later\nid:1700-1\n\n"),
            "checking ends at the first newer event: live events of a channel come in order");
    }

    [TestCase("41", "event:sse-position\ndata:{\"lastEventId\":\"41\"}\nid:41\n\n")]
    [TestCase(null, "event:sse-position\ndata:{\"lastEventId\":\"0-0\"}\nid:0-0\n\n")]
    public void WithHistory_ThePositionIsWrittenFirst_BeforeAnyEvent(string? position, string expected)
    {
        Assert.That(Written(new SseReplay([], [], new Dictionary<string, string?> { ["news"] = position }), ["news"]), Is.EqualTo(expected));
    }

    [Test]
    public void MissedNotice_OfAnEmptyChannel_CarriesTheStartPosition_NotAnEmptyId()
    {
        Assert.That(
            Written(new SseReplay([], ["news"], new Dictionary<string, string?> { ["news"] = null }), ["news"]),
            Is.EqualTo("event:sse-missed\ndata:{\"channels\":[\"news\"]}\nid:0-0\n\n"));
    }

    [Test]
    public void SeveralChannels_WriteOneIdPerChannel_AroundTheSharedFrame()
    {
        var replay = new SseReplay([], [], new Dictionary<string, string?> { ["a"] = "5", ["b,c"] = null });
        var shared = SseWriter.Event(new SseMessage("x", type: "t", id: "9", retry: 100), "b,c");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Written(replay, ["a", "b,c"], shared), Is.EqualTo("event:sse-position\ndata:{\"lastEventId\":\"5,\"}\nid:5,\n\nevent:t\ndata:x\nretry:100\nid:5,9\n\n"), "the position first, then the event");
            Assert.That(Encoding.UTF8.GetString(shared.Bytes.Span), Is.EqualTo("event:t\ndata:x\nid:9\nretry:100\n\n"), "the shared bytes are untouched");
            Assert.That(SseCursor.Decode("5,9", 2), Is.EqualTo(new[] { "5", "9" }));
        }
    }

    [Test]
    public void SingleChannel_OnceNothingIsLeftToRecognise_IsDone()
    {
        var replayed = Event("old", "order-17");
        var resume = SseResume.For(new SseReplay([replayed], [], new Dictionary<string, string?> { ["news"] = null }, overlap: [replayed]), ["news"])!;
        var output = new ArrayBufferWriter<byte>();

        resume.WriteStart(output);
        var doneBeforeLive = resume.IsDone;
        resume.Skips(Event("old", "order-17"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(doneBeforeLive, Is.False, "a live copy of the replayed event may still come");
            Assert.That(resume.IsDone, Is.True, "its copy came: the state can go");
            Assert.That(SseResume.For(new SseReplay([], ["a"], new Dictionary<string, string?> { ["a"] = null, ["b"] = null }), ["a", "b"])!.WritesOwnIds, Is.False, "until the start is written");
        }
    }
}
