using System.Net;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>Last-Event-ID replay end to end, on each broker, with history on.</summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class ReplayTests(BrokerKind broker) : TestSiteFixture
{
    private const int History = 200;

    private protected override TestSiteOptions SiteOptions => new()
    {
        Broker = broker,
        Settings = { [TestSettings.HistoryLength] = History.ToString(System.Globalization.CultureInfo.InvariantCulture) },
    };

    [Test]
    public async Task EveryEvent_CarriesAnId()
    {
        var channel = Unique("ids");
        await using var stream = await Open(channel);

        await Publisher.PublishAsync("one", channel: channel);
        await Publisher.PublishAsync("two", channel: channel);
        var first = IdOf(await stream.ReadEventAsync());
        var second = IdOf(await stream.ReadEventAsync());

        Assert.That(first, Is.Not.Empty);
        Assert.That(second, Is.Not.EqualTo(first));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Reconnect_WithLastEventId_GetsTheMissedEventsInOrder_ThenLiveOnes(bool asHeader)
    {
        var channel = Unique("replay");
        string seen;
        await using (var first = await Open(channel))
        {
            await Publisher.PublishAsync("one", channel: channel);
            seen = IdOf(await first.ReadEventAsync());
        }

        await Publisher.PublishAsync("two", channel: channel);
        await Publisher.PublishAsync("three", channel: channel);
        await using var second = asHeader
            ? await Open(channel, seen)
            : await SseTestStream.OpenAsync(Http, $"/sse/stream?channel={channel}&lastEventId={Uri.EscapeDataString(seen)}");
        await Publisher.PublishAsync("four", channel: channel);

        Assert.That(await DataOf(second, 3), Is.EqualTo(new[] { "two", "three", "four" }));
    }

    [Test]
    public async Task Reconnect_WhilePublishing_GetsEveryEventOnce_InOrder()
    {
        var channel = Unique("busy");
        string seen;
        await using (var first = await Open(channel))
        {
            await Publisher.PublishAsync("0", channel: channel);
            seen = IdOf(await first.ReadEventAsync());
        }

        await Publisher.PublishAsync("1", channel: channel);
        const int Count = 150;
        var publishing = Task.Run(async () =>
        {
            for (var i = 2; i <= Count; i++)
            {
                await Publisher.PublishAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture), channel: channel);
            }
        });
        await using var second = await Open(channel, seen);
        await publishing;

        var expected = Enumerable.Range(1, Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.That(await DataOf(second, Count), Is.EqualTo(expected), "no gap, no duplicate, in order");
    }

    [TestCase("no-such-id")]
    [TestCase("a\u0001b\tc")] // control characters browsers may send back (from a Python publisher's id, say)
    [TestCase("x,y,z")]
    [TestCase("99999999999999999999999-0")] // shaped like a Redis entry id, but beyond 64 bits
    [TestCase("18446744073709551616-18446744073709551616")]
    [TestCase("1-99999999999999999999999")]
    [TestCase("99999999999999999999999")]
    public async Task UnknownLastEventId_GetsTheMissedNotice_ThenLiveEvents(string lastEventId)
    {
        var channel = Unique("unknown");
        await Publisher.PublishAsync("before", channel: channel);
        await using var stream = await Open(channel, lastEventId);
        await Publisher.PublishAsync("live", channel: channel);

        var notice = await stream.ReadEventAsync();
        Assert.That(notice, Does.StartWith($"event:sse-missed\ndata:{{\"channels\":[\"{channel}\"]}}\nid:"));
        Assert.That(await DataOf(stream, 1), Is.EqualTo(new[] { "live" }));
    }

    [Test]
    public async Task TooOldLastEventId_GetsTheMissedNotice_ThenLiveEvents()
    {
        var channel = Unique("old");
        string seen;
        await using (var first = await Open(channel))
        {
            await Publisher.PublishAsync("first", channel: channel);
            seen = IdOf(await first.ReadEventAsync());
        }

        for (var i = 0; i < History + 1; i++)
        {
            await Publisher.PublishAsync("filler", channel: channel);
        }

        await using var second = await Open(channel, seen);
        await Publisher.PublishAsync("live", channel: channel);

        Assert.That(await second.ReadEventAsync(), Does.StartWith("event:sse-missed\n"));
        Assert.That(await DataOf(second, 1), Is.EqualTo(new[] { "live" }));
    }

    [Test]
    public async Task SeveralChannels_IdHoldsEachChannelsPosition_AndReplayCoversEveryChannel()
    {
        var a = Unique("multi.a");
        var b = Unique("multi.b");
        await Publisher.PublishAsync("a0", channel: a);
        string seen;
        await using (var first = await SseTestStream.OpenAsync(Http, $"/sse/stream?channel={a}&channel={b}"))
        {
            await Publisher.PublishAsync("b1", channel: b);
            var firstEvent = await first.ReadEventAsync();
            seen = IdOf(firstEvent);
            Assert.That(seen, Does.Contain(","), "one id per channel");
        }

        await Publisher.PublishAsync("a2", channel: a);
        await Publisher.PublishAsync("b3", channel: b);
        await Publisher.PublishAsync("a4", channel: a);
        await using var second = await SseTestStream.OpenAsync(Http, $"/sse/stream?channel={a}&channel={b}", h => h.Add("Last-Event-ID", seen));
        await Publisher.PublishAsync("b5", channel: b);

        var events = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            events.Add(await second.ReadEventAsync());
        }

        Assert.That(events.Select(e => e.Split('\n').First(l => l.StartsWith("data:", StringComparison.Ordinal))[5..]), Is.EqualTo(new[] { "a2", "b3", "a4", "b5" }), $"first id {seen}; events {string.Join(" | ", events)}");
    }

    [Test]
    public async Task SeveralChannels_EachEventAndReplayedEvent_IsNamedByAnSseChannelEventJustBeforeIt()
    {
        var a = Unique("named.a");
        var b = Unique("named.b");
        await Publisher.PublishAsync("a0", channel: a);
        await using var stream = await SseTestStream.OpenAsync(Http, $"/sse/stream?channel={a}&channel={b}", h => h.Add("Last-Event-ID", "0-0,0-0"));
        await Publisher.PublishAsync("b1", channel: b);
        await Publisher.PublishAsync("a2", channel: a);

        var blocks = new List<string>();
        while (blocks.Count < 6)
        {
            var block = await stream.ReadBlockAsync();
            if (!block.StartsWith(':') && !block.StartsWith("event:sse-position\n", StringComparison.Ordinal))
            {
                blocks.Add(block);
            }
        }

        // Each event right after the label of its own channel (live events of two channels may come in either order on Redis).
        var pairs = Enumerable.Range(0, 3).Select(i => (Label: blocks[2 * i], Data: blocks[(2 * i) + 1].Split('\n')[0])).ToList();
        Assert.That(pairs.Select(p => p.Data), Is.EquivalentTo(new[] { "data:a0", "data:b1", "data:a2" }), string.Join(" | ", blocks));
        Assert.That(pairs, Has.All.Matches<(string Label, string Data)>(p => p.Label == $"event:sse-channel\ndata:{(p.Data[5] == 'a' ? a : b)}\n\n"), string.Join(" | ", blocks));
    }

    [Test]
    public async Task OneChannel_GetsNoSseChannelEvent_ItsBytesStayFlaskSse()
    {
        var channel = Unique("unnamed");
        await using var stream = await Open(channel);
        await Publisher.PublishAsync("one", channel: channel);

        var block = await stream.ReadBlockAsync();
        while (block.StartsWith(':') || block.StartsWith("event:sse-position\n", StringComparison.Ordinal))
        {
            block = await stream.ReadBlockAsync();
        }

        Assert.That(block, Does.StartWith("data:one\nid:"));
    }

    [Test]
    public async Task SeveralChannels_AStarInTheId_AsksForThatChannelsLiveEventsOnly_AndZeroZeroForAllItsHistory()
    {
        var a = Unique("part.a");
        var b = Unique("part.b");
        await Publisher.PublishAsync("a-old", channel: a);
        await Publisher.PublishAsync("b-old", channel: b);
        await using var stream = await SseTestStream.OpenAsync(Http, $"/sse/stream?channel={a}&channel={b}", h => h.Add("Last-Event-ID", "0-0,*"));
        await Publisher.PublishAsync("b-live", channel: b);

        var first = await stream.ReadEventAsync();
        Assert.That(first, Does.StartWith("data:a-old\n"), "the start of a: its history; nothing missed");
        Assert.That(stream.LastChannel, Is.EqualTo(a));
        Assert.That(await DataOf(stream, 1), Is.EqualTo(new[] { "b-live" }), "b's part was *: live only, no b-old");
        Assert.That(stream.LastChannel, Is.EqualTo(b));
    }

    [Test]
    public async Task SeveralChannels_EachEventIsWrittenOnce()
    {
        var a = Unique("once.a");
        var b = Unique("once.b");
        await using var stream = await SseTestStream.OpenAsync(Http, $"/sse/stream?channel={a}&channel={b}&channel={a}");

        await Publisher.PublishAsync("to a", channel: a);
        await Publisher.PublishAsync("to b", channel: b);
        await Publisher.PublishAsync("end", channel: a);

        Assert.That(await DataOf(stream, 3), Is.EqualTo(new[] { "to a", "to b", "end" }));
    }

    [Test]
    public async Task ExplicitId_IsTheEventsId_AndReplayResumesAfterIt()
    {
        var channel = Unique("explicit");
        await using (var first = await Open(channel))
        {
            await Publisher.PublishAsync("mine", id: "order-17", channel: channel);
            Assert.That(IdOf(await first.ReadEventAsync()), Is.EqualTo("order-17"));
        }

        await Publisher.PublishAsync("next", channel: channel);
        await using var second = await Open(channel, "order-17");

        Assert.That(await DataOf(second, 1), Is.EqualTo(new[] { "next" }));
    }

    [Test]
    public async Task RepeatedPublisherId_AfterAReconnect_IsStillDeliveredLive()
    {
        var channel = Unique("repeat");
        await using (var first = await Open(channel))
        {
            await Publisher.PublishAsync("seen", id: "order-16", channel: channel);
            await first.ReadEventAsync();
        }

        await Publisher.PublishAsync("missed", id: "order-17", channel: channel);
        await using var second = await Open(channel, "order-16");
        await Publisher.PublishAsync("live-1", id: "order-18", channel: channel);
        await Publisher.PublishAsync("live-2", id: "order-17", channel: channel);
        await Publisher.PublishAsync("live-3", id: "order-19", channel: channel);

        Assert.That(await DataOf(second, 4), Is.EqualTo(new[] { "missed", "live-1", "live-2", "live-3" }));
    }

    [Test]
    public async Task ReconnectBeforeTheFirstEvent_WithThePositionSentAtTheStart_GetsWhatWasPublishedMeanwhile()
    {
        var channel = Unique("early");
        await Publisher.PublishAsync("old", channel: channel);
        string position;
        await using (var first = await Open(channel))
        {
            var block = await FirstBlockAfterThePreambleAsync(first);
            position = IdOf(block);
            Assert.That(block, Is.EqualTo($"event:sse-position\ndata:{{\"lastEventId\":\"{position}\"}}\nid:{position}\n\n"), "a typed event with data: every client records its id, onmessage never sees it");
        }

        await Publisher.PublishAsync("in the gap", channel: channel);
        await using var second = await Open(channel, position);

        Assert.That(await DataOf(second, 1), Is.EqualTo(new[] { "in the gap" }));
    }

    [Test]
    public async Task ReconnectBeforeTheFirstEvent_OfAnEmptyChannel_GetsEverythingPublishedMeanwhile()
    {
        var channel = Unique("empty");
        string position;
        await using (var first = await Open(channel))
        {
            position = IdOf(await FirstBlockAfterThePreambleAsync(first));
        }

        Assert.That(position, Is.Not.Empty, "an empty id would clear the browser's");
        await Publisher.PublishAsync("one", channel: channel);
        await Publisher.PublishAsync("two", channel: channel);
        await using var second = await Open(channel, position);

        Assert.That(await DataOf(second, 2), Is.EqualTo(new[] { "one", "two" }));
    }

    [Test]
    public async Task LongPositionOfSixteenChannels_IsNotRefused_ButResumedOrMissed()
    {
        var channels = Enumerable.Range(0, 16).Select(i => Unique("long" + i)).ToList();
        var unknown = string.Join(',', Enumerable.Repeat(Uri.EscapeDataString(new string('é', 300)), 16));
        Assert.That(unknown, Has.Length.GreaterThan(4096));
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?" + string.Join('&', channels.Select(c => "channel=" + c)), h => h.Add("Last-Event-ID", unknown));
        await Publisher.PublishAsync("live", channel: channels[15]);

        Assert.That(await stream.ReadEventAsync(), Does.StartWith("event:sse-missed\n"));
        Assert.That(await DataOf(stream, 1), Is.EqualTo(new[] { "live" }));
    }

    [TestCase("a\nb")]
    [TestCase("a\u0000b")]
    public async Task InvalidLastEventId_Answers400WithTheReason(string id)
    {
        using var response = await Http.GetAsync($"/sse/stream?lastEventId={Uri.EscapeDataString(id)}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("control character"));
    }

    private static async Task<string> FirstBlockAfterThePreambleAsync(SseTestStream stream)
    {
        var block = await stream.ReadBlockAsync();
        Assert.That(block, Does.StartWith(":"), "the preamble comes first");
        return await stream.ReadBlockAsync();
    }

    private static string Unique(string name) => $"{name}.{Guid.NewGuid():N}";

    private static string IdOf(string eventText)
        => eventText.Split('\n').Single(line => line.StartsWith("id:", StringComparison.Ordinal))[3..];

    private static async Task<List<string>> DataOf(SseTestStream stream, int count)
    {
        var data = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var text = await stream.ReadEventAsync();
            data.Add(string.Join('\n', text.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..])));
        }

        return data;
    }

    private Task<SseTestStream> Open(string channel, string? lastEventId = null)
        => SseTestStream.OpenAsync(Http, "/sse/stream?channel=" + Uri.EscapeDataString(channel), h =>
        {
            if (lastEventId is not null)
            {
                h.Add("Last-Event-ID", lastEventId);
            }
        });
}
