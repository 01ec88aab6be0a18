using System.Text.Json;
using SseArea.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseArea.Tests.Browser;

/// <summary>
/// The <c>&lt;sse-stream&gt;</c> element the tag helper renders, and its script, in a real browser
/// (headless chromium), on the test host's page (<c>/test/page</c>: element <c>#stream-N</c> writes
/// into <c>#feed-N</c>). The site listens on a loopback port; every wait is on a DOM condition with
/// a deadline.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class SseStreamElementTests(BrokerKind broker) : BrowserFixture<TestHost.Program>
{
    private protected override TestSiteOptions SiteOptions => new() { Broker = broker };

    [Test]
    public async Task Element_StateBecomesOpen()
    {
        await Page.GotoAsync("/test/page?channel=browser.open");

        await Expect(Page.Locator("#stream-0")).ToHaveAttributeAsync("state", "open");
    }

    [Test]
    public async Task AnElementWithAChannelButNoSrc_WarnsInTheConsole_NamingTheFix()
    {
        await OpenAsync("/test/page?channel=browser.warn");
        var warnings = new List<string>();
        Page.Console += (_, message) =>
        {
            if (message.Type == "warning")
            {
                warnings.Add(message.Text);
            }
        };

        await Page.EvaluateAsync("() => { const stream = document.createElement('sse-stream'); stream.setAttribute('channel', 'news'); document.body.append(stream); }");

        await Eventually.HoldsAsync(() => Task.FromResult(warnings.Any(w => w.Contains("@addTagHelper *, SseArea", StringComparison.Ordinal))), "the console warning");
    }

    [Test]
    public async Task TwoElementsOnOnePage_EachShowOnlyTheirOwnChannel()
    {
        await OpenAsync("/test/page?channel=browser.two.a&channel=browser.two.b&events=status");
        var a = Page.Locator("#feed-0 li");

        await Publisher.PublishAsync("first on a", type: "status", channel: "browser.two.a");
        await Expect(a).ToHaveTextAsync(["first on a"]);
        await Expect(a).ToHaveAttributeAsync("data-type", "status");
        await Publisher.PublishAsync("on b", type: "status", channel: "browser.two.b");
        await Expect(Page.Locator("#feed-1 li")).ToHaveTextAsync(["on b"]);
        await Publisher.PublishAsync("second on a", channel: "browser.two.a");

        // Had b's event leaked to a's element, it would sit between a's two.
        await Expect(a).ToHaveTextAsync(["first on a", "second on a"]);
        await Expect(Page.Locator("#feed-1 li")).ToHaveCountAsync(1);
    }

    [Test]
    public async Task TargetMode_ShowsMarkupAsText()
    {
        await OpenAsync("/test/page?channel=browser.markup");
        const string Markup = "<b>bold</b> & <img src=x onerror=\"document.title='xss'\"> <script>document.title='xss'</script>";

        await Publisher.PublishAsync(Markup, channel: "browser.markup");

        await Expect(Page.Locator("#feed-0 li")).ToHaveTextAsync([Markup]);
        var elements = await Page.Locator("#feed-0 b, #feed-0 img, #feed-0 script").CountAsync();
        var title = await Page.TitleAsync();
        Assert.Multiple(() =>
        {
            Assert.That(elements, Is.Zero, "no element made from event text");
            Assert.That(title, Does.Not.Contain("xss"));
        });
    }

    [Test]
    public async Task Events_CarryParsedJsonOrTextAndTheLastEventIdInDetail()
    {
        await OpenAsync("/test/page?channel=browser.json&events=greeting");
        await Page.EvaluateAsync("""
            () => {
              window.received = [];
              const stream = document.getElementById("stream-0");
              for (const type of ["greeting", "message"]) {
                stream.addEventListener(type, (e) => window.received.push({ type: e.type, bubbles: e.bubbles, detail: e.detail }));
              }
            }
            """);

        await Publisher.PublishAsync(new { message = "Hello!", count = 3, tags = new[] { "a", "b" } }, type: "greeting", id: "7", channel: "browser.json");
        await Publisher.PublishAsync("42", id: "8", channel: "browser.json");
        await Publisher.PublishAsync("{not json", id: "9", channel: "browser.json");
        await Page.WaitForFunctionAsync("() => window.received.length === 3");

        var received = (await Page.EvaluateAsync<JsonElement>("() => window.received")).EnumerateArray().ToArray();
        var greeting = received[0].GetProperty("detail");
        Assert.Multiple(() =>
        {
            Assert.That(received[0].GetProperty("type").GetString(), Is.EqualTo("greeting"));
            Assert.That(received[0].GetProperty("bubbles").GetBoolean(), Is.False);
            Assert.That(greeting.GetProperty("data").GetProperty("message").GetString(), Is.EqualTo("Hello!"));
            Assert.That(greeting.GetProperty("data").GetProperty("count").GetInt32(), Is.EqualTo(3));
            Assert.That(greeting.GetProperty("data").GetProperty("tags").GetArrayLength(), Is.EqualTo(2));
            Assert.That(greeting.GetProperty("lastEventId").GetString(), Is.EqualTo("7"));

            Assert.That(received[1].GetProperty("type").GetString(), Is.EqualTo("message"));
            Assert.That(received[1].GetProperty("detail").GetProperty("data").ValueKind, Is.EqualTo(JsonValueKind.String), "'42' stays text");
            Assert.That(received[1].GetProperty("detail").GetProperty("data").GetString(), Is.EqualTo("42"));
            Assert.That(received[1].GetProperty("detail").GetProperty("lastEventId").GetString(), Is.EqualTo("8"));
            Assert.That(received[2].GetProperty("detail").GetProperty("data").GetString(), Is.EqualTo("{not json"));
        });
    }

    [Test]
    public async Task RemovingTheElement_ClosesItsConnection()
    {
        await OpenAsync("/test/page?channel=browser.leave&channel=browser.stay");
        Assert.That(await Publisher.PublishAsync("before", channel: "browser.leave"), Is.EqualTo(1));
        await Expect(Page.Locator("#feed-0 li")).ToHaveTextAsync(["before"]);

        var state = await Page.EvaluateAsync<string>("""
            () => {
              const stream = document.getElementById("stream-0");
              stream.remove();
              return stream.getAttribute("state");
            }
            """);

        Assert.That(state, Is.EqualTo("closed"));
        await Eventually.HoldsAsync(async () => await Publisher.PublishAsync("anyone?", channel: "browser.leave") == 0, "the server saw the listener leave");
        if (broker == BrokerKind.Redis)
        {
            Assert.That(await (await RedisTestServer.GetAsync()).NumSubAsync("browser.leave"), Is.Zero, "PUBSUB NUMSUB back to 0");
        }

        await Expect(Page.Locator("#stream-1")).ToHaveAttributeAsync("state", "open");
    }

    [Test]
    public async Task ChangingSrc_MovesTheConnectionToTheNewStream()
    {
        await OpenAsync("/test/page?channel=browser.src.a");

        await Page.EvaluateAsync("() => document.getElementById('stream-0').setAttribute('src', '/sse/stream?channel=browser.src.b')");

        await Eventually.HoldsAsync(async () => await Site.Stats.CountSubscribersAsync("browser.src.b") == 1, "the new stream's listener came");
        await Eventually.HoldsAsync(async () => await Publisher.PublishAsync("to a", channel: "browser.src.a") == 0, "the old stream's listener left");
        Assert.That(await Publisher.PublishAsync("to b", channel: "browser.src.b"), Is.EqualTo(1));
        await Expect(Page.Locator("#stream-0")).ToHaveAttributeAsync("state", "open");
        await Expect(Page.Locator("#feed-0 li")).ToHaveTextAsync(["to b"]);
    }

    [Test]
    public async Task State_FollowsTheConnectionThroughAServerRestart()
    {
        var port = RedisTestServer.FreeLoopbackPort();
        var stream = Page.Locator("#stream-0");
        var first = await StartSiteAsync(port);
        try
        {
            await OpenAsync($"http://127.0.0.1:{port}/test/page?channel=browser.restart");
        }
        finally
        {
            await first.DisposeAsync();
        }

        // The server ended the stream and is gone: the browser keeps retrying (Sse:RetryInterval 200 ms).
        await Expect(stream).ToHaveAttributeAsync("state", "reconnecting");

        await using var second = await StartSiteAsync(port);
        await Expect(stream).ToHaveAttributeAsync("state", "open");
        Assert.That(await second.Publisher.PublishAsync("after the restart", channel: "browser.restart"), Is.EqualTo(1));
        await Expect(Page.Locator("#feed-0 li")).ToHaveTextAsync(["after the restart"]);
    }

    /// <summary>The test host on a fixed loopback port (so a second one can take over), browsers told to retry after 200 ms.</summary>
    private Task<TestSite<TestHost.Program>> StartSiteAsync(int port)
        => TestSite.StartAsync(new TestSiteOptions { Broker = broker, Port = port, Settings = { [TestSettings.RetryInterval] = "00:00:00.200" } });
}
