using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Browser;

/// <summary>
/// What the field found in real browsers, in Firefox ESR and Chromium (puppeteer-core, <see cref="FieldBrowser"/>), on
/// each broker: positions kept before the first event, recovery after what EventSource gives up on, refusals that
/// say why, missed events marked, and connections shared by a page's elements and by the site's tabs. Each test runs
/// a site of its own, so the streams it counts are its own.
/// </summary>
[TestFixture(BrowserKind.Firefox, BrokerKind.InMemory)]
[TestFixture(BrowserKind.Firefox, BrokerKind.Redis)]
[TestFixture(BrowserKind.Chromium, BrokerKind.InMemory)]
[TestFixture(BrowserKind.Chromium, BrokerKind.Redis)]
[CancelAfter(90_000)]
public sealed class BothBrowsersTests(BrowserKind kind, BrokerKind broker)
{
    private readonly StreamGate _gate = new();
    private TestSite<TestHost.Program> _site = null!;
    private FieldPage _page = null!;

    [SetUp]
    public async Task StartAsync()
    {
        var browser = await FieldBrowser.GetAsync(kind);
        _site = await TestSite.StartAsync(new TestSiteOptions
        {
            Broker = broker,
            Middleware = _gate.Use,
            Settings = { [TestSettings.HistoryLength] = "100", [TestSettings.RetryInterval] = "00:00:00.200" },
        });
        _page = await browser.NewPageAsync();
    }

    [TearDown]
    public async Task StopAsync()
    {
        _gate.Held?.TrySetResult();
        var errors = await _page.ErrorsAsync();
        await _page.CloseAsync();
        await _site.DisposeAsync();
        Assert.That(errors, Is.Empty, "script errors on the page");
    }

    [Test]
    public async Task ASiteThatSawNoEventYet_ResumesFromItsPosition_WhenTheBrowserReconnects()
    {
        var channel = Channel("position");
        await OpenAsync($"/test/page?channel={channel}&share=none");
        await _page.EvaluateAsync($$"""
            () => {
              window.seen = [];
              const source = new EventSource("/sse/stream?channel={{channel}}");
              source.onmessage = (e) => window.seen.push(e.data);
              source.addEventListener("sse-position", (e) => { window.position = e.lastEventId; });
            }
            """);
        await _page.WaitAsync("() => window.position !== undefined", "the plain EventSource's position");

        // The streams drop; the browsers' reconnects are held while an event is published.
        _gate.Held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        _gate.CutAll();
        await Eventually.HoldsAsync(() => Task.FromResult(_gate.HeldRequests >= 2), "both reconnects arrived");
        await _site.Publisher.PublishAsync("in the gap", channel: channel);
        _gate.Held.TrySetResult();
        _gate.Held = null;

        await _page.WaitAsync("() => window.seen.includes('in the gap')", "the plain EventSource got the event published while it was away");
        await _page.WaitAsync("() => document.querySelector('#feed-0 li')?.textContent === 'in the gap'", "the element got it too");
        Assert.That(_gate.LastEventIdSent, Is.Not.Null, "the browser sent the position back as Last-Event-ID");
    }

    [Test]
    public async Task After503s_TheElementReconnectsByItself_FromTheLastIdItSaw()
    {
        var channel = Channel("unavailable");
        await OpenAsync($"/test/page?channel={channel}");
        await _page.EvaluateAsync("() => { window.errors = []; document.getElementById('stream-0').addEventListener('sse-error', (e) => window.errors.push(e.detail)); }");

        _gate.Unavailable = true;
        _gate.CutAll();
        await _page.WaitAsync("() => window.errors.length > 0", "an sse-error");
        await _site.Publisher.PublishAsync("in the gap", channel: channel);
        _gate.Unavailable = false;

        await _page.WaitAsync("() => document.querySelector('#feed-0 li')?.textContent === 'in the gap'", "the event published during the 503s", 20_000);
        await _page.WaitAsync("() => document.getElementById('stream-0').getAttribute('state') === 'open'", "open again");
        var first = await _page.EvaluateAsync("() => window.errors[0]");
        Assert.Multiple(() =>
        {
            Assert.That(first.GetProperty("status").GetInt32(), Is.EqualTo(503));
            Assert.That(first.GetProperty("state").GetString(), Is.EqualTo("reconnecting"));
            Assert.That(first.GetProperty("retryIn").GetInt32(), Is.InRange(500, 1000), "the first retry: 1 s with jitter");
        });
    }

    [Test]
    public async Task ARefusal_IsNotRetried_AndTheElementSaysWhy()
    {
        await OpenAsync($"/test/page?channel={Channel("refusal")}");
        var detail = await _page.EvaluateAsync("""
            () => new Promise((resolve, reject) => {
              setTimeout(() => reject(new Error("no sse-error within 10 s")), 10000);
              const stream = document.createElement("sse-stream");
              stream.id = "refused";
              stream.addEventListener("sse-error", (e) => resolve(e.detail));
              stream.setAttribute("src", "/sse/stream?channel=" + "x".repeat(300));
              document.body.append(stream);
            })
            """);

        await _page.WaitAsync("() => document.getElementById('refused').getAttribute('state') === 'refused'", "state refused");
        Assert.Multiple(() =>
        {
            Assert.That(detail.GetProperty("status").GetInt32(), Is.EqualTo(400));
            Assert.That(detail.GetProperty("reason").GetString(), Does.Contain("Invalid channel"));
            Assert.That(detail.GetProperty("retryIn").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null), "not retried");
        });
        await _page.WaitAsync("() => document.getElementById('stream-0').getAttribute('state') === 'open'", "the page's other element still open");
    }

    [Test]
    public async Task MissedEvents_AreDispatched_AndMarkedInTheTargetFeed()
    {
        await OpenAsync($"/test/page?channel={Channel("gap")}");
        var detail = await _page.EvaluateAsync($$"""
            () => new Promise((resolve, reject) => {
              setTimeout(() => reject(new Error("no sse-missed within 10 s")), 10000);
              const feed = document.createElement("ol");
              feed.id = "gap-feed";
              const stream = document.createElement("sse-stream");
              stream.setAttribute("target", "#gap-feed");
              stream.addEventListener("sse-missed", (e) => resolve(e.detail));
              stream.setAttribute("src", "/sse/stream?channel={{Channel("gone")}}&lastEventId=an-id-nobody-knows");
              document.body.append(feed, stream);
            })
            """);

        Assert.That(detail.GetProperty("data").GetProperty("channels")[0].GetString(), Does.StartWith("gone."));
        await _page.WaitAsync("() => document.querySelector('#gap-feed li.sse-missed') !== null", "the gap marked in the feed");
    }

    [Test]
    public async Task EightElementsOnAPage_ShareOneConnection_AndEachGetsItsOwnChannel()
    {
        var channels = Enumerable.Range(0, 8).Select(i => Channel("eight" + i)).ToList();
        await OpenAsync("/test/page?" + string.Join('&', channels.Select(c => "channel=" + c)));

        for (var i = 0; i < channels.Count; i++)
        {
            await _site.Publisher.PublishAsync("to " + i, channel: channels[i]);
        }

        await _page.WaitAsync(
            "() => [...Array(8).keys()].every(i => [...document.querySelectorAll(`#feed-${i} li`)].map(li => li.textContent).join() === `to ${i}`)",
            "each of the 8 feeds holding exactly its own event");
        Assert.That(_site.Metrics.Sum("sse.connections.opened"), Is.EqualTo(1), "one stream for 8 elements");
    }

    [Test]
    public async Task TenTabsOfAPageWithTwoElements_AreAllLive_OnOneConnection()
    {
        var b = Channel("tabs.b");
        var path = $"/test/page?channel={Channel("tabs.a")}&channel={b}";
        var tabs = new List<FieldPage> { _page };
        await OpenAsync(path);
        for (var i = 1; i < 10; i++)
        {
            var tab = await _page.NewTabAsync();
            tabs.Add(tab);
            await OpenAsync(path, tab);
        }

        await _site.Publisher.PublishAsync("to every tab", channel: b);
        foreach (var tab in tabs)
        {
            await tab.WaitAsync("() => document.querySelector('#feed-1 li')?.textContent === 'to every tab'", "the event in every tab");
        }

        Assert.That(_site.Metrics.Sum("sse.connections.opened"), Is.EqualTo(1), "one stream for 10 tabs × 2 elements (a SharedWorker)");
        foreach (var tab in tabs.Skip(1))
        {
            await tab.CloseAsync();
        }
    }

    private async Task OpenAsync(string path, FieldPage? page = null)
    {
        page ??= _page;
        Assert.That(await page.GotoAsync(new Uri(_site.Address, path).ToString()), Is.EqualTo(200), path);
        await page.WaitAsync("() => document.querySelectorAll('sse-stream').length > 0 && [...document.querySelectorAll('sse-stream')].every(s => s.getAttribute('state') === 'open')", "every element open");
    }

    private static string Channel(string name) => $"{name}.{Guid.NewGuid():N}";
}
