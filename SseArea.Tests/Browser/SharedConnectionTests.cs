using SseArea.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseArea.Tests.Browser;

/// <summary>
/// <c>&lt;sse-stream&gt;</c> elements share connections, in headless chromium over HTTP/1.1 (6 connections per host):
/// a page's elements share one, and so do the site's tabs, through a SharedWorker. Each test counts the streams its
/// own site opened (<c>sse.connections.opened</c>).
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(90_000)]
public sealed class SharedConnectionTests(BrokerKind broker) : BrowserFixture<TestHost.Program>
{
    private protected override TestSiteOptions SiteOptions => new() { Broker = broker };

    [TestCase("browser")]
    [TestCase("page")]
    public async Task EightElementsOnAPage_ShareOneConnection_AndEachGetsExactlyItsOwnChannel(string share)
    {
        await using var site = await StartSiteAsync();
        var channels = Enumerable.Range(0, 8).Select(i => $"shared.eight.{i}.{Guid.NewGuid():N}").ToList();
        await OpenAsync(PageOf(site, channels, share));

        foreach (var channel in channels)
        {
            await site.Publisher.PublishAsync("to " + channel, channel: channel);
        }

        for (var i = 0; i < channels.Count; i++)
        {
            await Expect(Page.Locator($"#feed-{i} li")).ToHaveTextAsync(["to " + channels[i]]);
        }

        Assert.That(site.Metrics.Sum("sse.connections.opened"), Is.EqualTo(1), "one stream for the 8 elements");
    }

    [Test]
    public async Task TenTabsOfAPageWithTwoElements_AreAllLive_OnOneConnection()
    {
        await using var site = await StartSiteAsync();
        var channels = new[] { $"shared.tabs.a.{Guid.NewGuid():N}", $"shared.tabs.b.{Guid.NewGuid():N}" };
        var tabs = new List<Microsoft.Playwright.IPage> { Page };
        for (var i = 1; i < 10; i++)
        {
            tabs.Add(await Page.Context.NewPageAsync());
        }

        foreach (var tab in tabs)
        {
            await OpenAsync(PageOf(site, channels, share: null), tab);
        }

        await site.Publisher.PublishAsync("to every tab", channel: channels[1]);
        foreach (var tab in tabs)
        {
            await Expect(tab.Locator("#feed-1 li")).ToHaveTextAsync(["to every tab"]);
            await Expect(tab.Locator("#feed-0 li")).ToHaveCountAsync(0);
        }

        Assert.That(site.Metrics.Sum("sse.connections.opened"), Is.EqualTo(1), "one stream for 10 tabs × 2 elements");

        // A tab that closes lets go of its channels: the last one closes the stream.
        foreach (var tab in tabs)
        {
            await tab.CloseAsync();
        }

        await Eventually.HoldsAsync(() => Task.FromResult(site.Metrics.Sum("sse.connections.current") == 0), "the stream closed with the last tab");
    }

    [Test]
    public async Task ARefusedChannelJoiningASharedConnection_IsRefusedAlone_AndTheOthersStayLive()
    {
        await using var site = await StartSiteAsync(history: true);
        var channels = new[] { $"shared.good.a.{Guid.NewGuid():N}", $"shared.good.b.{Guid.NewGuid():N}" };
        await OpenAsync(PageOf(site, channels, share: "page"));

        await Page.EvaluateAsync("""
            () => {
              const stream = document.createElement("sse-stream");
              stream.id = "refused";
              stream.setAttribute("share", "page");
              stream.setAttribute("src", "/sse/stream?channel=" + "x".repeat(300));
              document.body.append(stream);
            }
            """);
        await Expect(Page.Locator("#refused")).ToHaveAttributeAsync("state", "refused");
        await Expect(Page.Locator("#stream-0")).ToHaveAttributeAsync("state", "open");
        await site.Publisher.PublishAsync("still live", channel: channels[0]);

        await Expect(Page.Locator("#feed-0 li")).ToHaveTextAsync(["still live"]);
        PageErrors.Clear(); // the refused requests
    }

    [Test]
    public async Task AnElementAddedLater_JoinsTheConnection_WithLiveEventsOnly_AndTheOthersMissNothing()
    {
        await using var site = await StartSiteAsync(history: true);
        var first = $"shared.first.{Guid.NewGuid():N}";
        var later = $"shared.later.{Guid.NewGuid():N}";
        await site.Publisher.PublishAsync("old news", channel: later);
        await OpenAsync(PageOf(site, [first], share: "page"));

        await Page.EvaluateAsync($$"""
            () => {
              const list = document.createElement("ol");
              list.id = "later-feed";
              const stream = document.createElement("sse-stream");
              stream.id = "later";
              stream.setAttribute("share", "page");
              stream.setAttribute("target", "#later-feed");
              stream.setAttribute("src", "/sse/stream?channel={{later}}");
              document.body.append(list, stream);
            }
            """);
        await site.Publisher.PublishAsync("first, meanwhile", channel: first);
        await Expect(Page.Locator("#later")).ToHaveAttributeAsync("state", "open");
        await site.Publisher.PublishAsync("new", channel: later);

        await Expect(Page.Locator("#later-feed li")).ToHaveTextAsync(["new"], new() { Timeout = 15_000 });
        await Expect(Page.Locator("#feed-0 li")).ToHaveTextAsync(["first, meanwhile"]);
    }

    private Task<TestSite<TestHost.Program>> StartSiteAsync(bool history = false) => TestSite.StartAsync(new TestSiteOptions
    {
        Broker = broker,
        Settings = { [TestSettings.HistoryLength] = history ? "100" : "0" },
    });

    private static string PageOf(TestSite<TestHost.Program> site, IEnumerable<string> channels, string? share)
        => new Uri(site.Address, "/test/page?" + string.Join('&', channels.Select(c => "channel=" + c)) + (share is null ? null : "&share=" + share)).ToString();
}
