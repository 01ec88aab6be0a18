using System.Text.Json;
using SseArea.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseArea.Tests.Browser;

/// <summary>
/// The <c>&lt;sse-stream&gt;</c> element after what a browser's EventSource gives up on (a proxy's 5xx during a
/// deploy, a 503, a refusal), in headless chromium: it recovers from what retrying can fix, from the last id it
/// saw, and says why it stopped when it must.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class ElementRecoveryTests(BrokerKind broker) : BrowserFixture<TestHost.Program>
{
    private protected override TestSiteOptions SiteOptions => new() { Broker = broker };

    [Test]
    public async Task After503s_TheElementReconnectsByItself_AndGetsWhatWasPublishedMeanwhile()
    {
        var gate = new StreamGate();
        var channel = $"browser.unavailable.{Guid.NewGuid():N}";
        await using var site = await TestSite.StartAsync(new TestSiteOptions
        {
            Broker = broker,
            Middleware = gate.Use,
            Settings = { [TestSettings.HistoryLength] = "100", [TestSettings.RetryInterval] = "00:00:00.100" },
        });
        await OpenAsync(new Uri(site.Address, $"/test/page?channel={channel}").ToString());
        await Page.EvaluateAsync("() => { window.errors = []; document.getElementById('stream-0').addEventListener('sse-error', (e) => window.errors.push(e.detail)); }");
        var stream = Page.Locator("#stream-0");

        // A deploy behind a proxy: the open stream drops, and every request gets 503 for a while.
        gate.Unavailable = true;
        gate.CutAll();
        await Page.WaitForFunctionAsync("() => window.errors.length > 0");
        await Expect(stream).ToHaveAttributeAsync("state", "reconnecting");
        await site.Publisher.PublishAsync("in the gap", channel: channel);
        gate.Unavailable = false;

        await Expect(Page.Locator("#feed-0 li")).ToHaveTextAsync(["in the gap"], new() { Timeout = 20_000 });
        await Expect(stream).ToHaveAttributeAsync("state", "open");
        var first = (await Page.EvaluateAsync<JsonElement>("() => window.errors[0]"));
        Assert.Multiple(() =>
        {
            Assert.That(first.GetProperty("status").GetInt32(), Is.EqualTo(503));
            Assert.That(first.GetProperty("state").GetString(), Is.EqualTo("reconnecting"));
            Assert.That(first.GetProperty("retryIn").GetInt32(), Is.InRange(500, 1000), "the first retry: 1 s with jitter");
        });
        PageErrors.Clear(); // the 503s
    }

    [Test]
    public async Task ARefusal_IsNotRetried_AndTheElementSaysWhy()
    {
        await OpenAsync("/test/page?channel=browser.refusal.page");

        var detail = await Page.EvaluateAsync<JsonElement>("""
            () => new Promise((resolve, reject) => {
              setTimeout(() => reject(new Error("no sse-error within 10 s")), 10000);
              const stream = document.createElement("sse-stream");
              stream.id = "refused";
              stream.setAttribute("share", "none"); // its own connection: every request is the page's
              stream.addEventListener("sse-error", (e) => resolve(e.detail));
              stream.setAttribute("src", "/sse/stream?channel=" + "x".repeat(300));
              document.body.append(stream);
            })
            """);

        await Expect(Page.Locator("#refused")).ToHaveAttributeAsync("state", "refused");
        Assert.Multiple(() =>
        {
            Assert.That(detail.GetProperty("status").GetInt32(), Is.EqualTo(400));
            Assert.That(detail.GetProperty("reason").GetString(), Does.Contain("Invalid channel"), "the problem body's detail");
            Assert.That(detail.GetProperty("retryIn").ValueKind, Is.EqualTo(JsonValueKind.Null), "not retried");
            Assert.That(PageErrors, Has.Count.EqualTo(2).And.All.Contains("400"), "the EventSource's request and the one status probe, nothing more");
        });
        PageErrors.Clear();
    }

    [Test]
    public async Task MissedEvents_AreDispatchedUnasked_AndMarkedInTheTargetFeed()
    {
        await using var site = await TestSite.StartAsync(new TestSiteOptions { Broker = broker, Settings = { [TestSettings.HistoryLength] = "10" } });
        await OpenAsync(new Uri(site.Address, "/test/page?channel=browser.gap.page").ToString());

        var detail = await Page.EvaluateAsync<JsonElement>("""
            () => new Promise((resolve, reject) => {
              setTimeout(() => reject(new Error("no sse-missed within 10 s")), 10000);
              const feed = document.createElement("ol");
              feed.id = "gap-feed";
              const stream = document.createElement("sse-stream");
              stream.setAttribute("target", "#gap-feed");
              stream.addEventListener("sse-missed", (e) => resolve(e.detail));
              stream.setAttribute("src", "/sse/stream?channel=browser.gap&lastEventId=an-id-nobody-knows");
              document.body.append(feed, stream);
            })
            """);

        Assert.That(detail.GetProperty("data").GetProperty("channels")[0].GetString(), Is.EqualTo("browser.gap"));
        await Expect(Page.Locator("#gap-feed li.sse-missed")).ToHaveTextAsync(["Some events may have been missed here."]);
    }
}
