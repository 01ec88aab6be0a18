using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using SseArea.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseArea.Tests.Browser;

/// <summary>
/// SampleSite's pages in a real browser (headless chromium): the <c>&lt;sse-stream&gt;</c> element
/// the tag helper renders, its script, and the pages built on it. The site listens on a loopback
/// port; every wait is on a DOM condition with a deadline.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class SseStreamElementTests(BrokerKind broker)
{
    private readonly List<string> _pageErrors = [];
    private SampleSiteFactory _site = null!;
    private string _address = null!;
    private ISsePublisher _publisher = null!;
    private IBrowser _browser = null!;
    private IBrowserContext _context = null!;
    private IPage _page = null!;

    [OneTimeSetUp]
    public async Task StartSiteAndBrowserAsync()
    {
        _browser = await BrowserSession.GetAsync();
        SetDefaultExpectTimeout(10_000);

        _site = await SampleSiteFactory.CreateAsync(broker);
        _site.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        _site.StartServer();
        _address = _site.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        _publisher = _site.Services.GetRequiredService<ISsePublisher>();
    }

    [OneTimeTearDown]
    public async Task StopSiteAsync()
    {
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
    }

    [SetUp]
    public async Task OpenPageAsync()
    {
        _pageErrors.Clear();
        _context = await NewContextAsync();
        _page = await _context.NewPageAsync();
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        await _context.CloseAsync();
        Assert.That(_pageErrors, Is.Empty, "script errors on the page");
    }

    [Test]
    public async Task HomeFeed_ShowsAGreetingPublishedAfterPageLoad()
    {
        await OpenAsync("/");

        using var http = new HttpClient { BaseAddress = new Uri(_address) };
        Assert.That(await http.GetStringAsync("/hello"), Is.EqualTo("Message sent!"));

        var lines = _page.Locator("#feed li");
        await Expect(lines).ToHaveTextAsync(["{\"message\":\"Hello!\"}"]);
        await Expect(lines).ToHaveAttributeAsync("data-type", "greeting");
    }

    [Test]
    public async Task Element_StateBecomesOpen()
    {
        await _page.GotoAsync("/social");

        await Expect(_page.Locator("#social-stream")).ToHaveAttributeAsync("state", "open");
    }

    [Test]
    public async Task TwoElementsOnOnePage_EachShowOnlyTheirOwnChannel()
    {
        await OpenAsync("/?watch=browser.two");
        var social = _page.Locator("#social-latest li .user");

        await _publisher.PublishAsync(new { user = "bob", status = "on social" }, type: "status", channel: "users.social");
        await Expect(social).ToHaveTextAsync(["bob"]);
        await _publisher.PublishAsync(new { user = "carol", status = "on the feed" }, type: "status", channel: "browser.two");
        await Expect(_page.Locator("#feed li")).ToHaveTextAsync(["{\"user\":\"carol\",\"status\":\"on the feed\"}"]);
        await _publisher.PublishAsync(new { user = "dave", status = "on social again" }, type: "status", channel: "users.social");

        // Had carol's event leaked to the social element, it would sit between dave and bob.
        await Expect(social).ToHaveTextAsync(["dave", "bob"]);
        await Expect(_page.Locator("#feed li")).ToHaveCountAsync(1);
    }

    [Test]
    public async Task TargetMode_ShowsMarkupAsText()
    {
        await OpenAsync("/?watch=browser.markup");
        const string Markup = "<b>bold</b> & <img src=x onerror=\"document.title='xss'\"> <script>document.title='xss'</script>";

        await _publisher.PublishAsync(Markup, channel: "browser.markup");

        await Expect(_page.Locator("#feed li")).ToHaveTextAsync([Markup]);
        var elements = await _page.Locator("#feed b, #feed img, #feed script").CountAsync();
        var title = await _page.TitleAsync();
        Assert.Multiple(() =>
        {
            Assert.That(elements, Is.Zero, "no element made from event text");
            Assert.That(title, Does.Not.Contain("xss"));
        });
    }

    [Test]
    public async Task Events_CarryParsedJsonOrTextAndTheLastEventIdInDetail()
    {
        await OpenAsync("/?watch=browser.json");
        await _page.EvaluateAsync("""
            () => {
              window.received = [];
              const stream = document.getElementById("feed-stream");
              for (const type of ["greeting", "message"]) {
                stream.addEventListener(type, (e) => window.received.push({ type: e.type, bubbles: e.bubbles, detail: e.detail }));
              }
            }
            """);

        await _publisher.PublishAsync(new { message = "Hello!", count = 3, tags = new[] { "a", "b" } }, type: "greeting", id: "7", channel: "browser.json");
        await _publisher.PublishAsync("42", id: "8", channel: "browser.json");
        await _publisher.PublishAsync("{not json", id: "9", channel: "browser.json");
        await _page.WaitForFunctionAsync("() => window.received.length === 3");

        var received = (await _page.EvaluateAsync<JsonElement>("() => window.received")).EnumerateArray().ToArray();
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
    public async Task SocialStatus_PostedWithTheForm_ReachesEveryOpenPage()
    {
        await using var otherContext = await NewContextAsync();
        var other = await otherContext.NewPageAsync();
        await OpenAsync("/social");
        await OpenAsync("/social", other);

        await _page.FillAsync("#Name", "alice");
        await _page.FillAsync("#Status", "Life is <i>good</i>!");
        await _page.ClickAsync("form.publish button[type=submit]");

        foreach (var page in new[] { _page, other })
        {
            await Expect(page.Locator("#statuses li .user")).ToHaveTextAsync(["alice"]);
            await Expect(page.Locator("#statuses li p")).ToHaveTextAsync(["Life is <i>good</i>!"]);
        }

        await Expect(_page.Locator("#post-status")).ToHaveTextAsync(new Regex("^Sent to 'users.social': [1-9][0-9]* receiver\\(s\\)\\.$"));
        Assert.That(_page.Url, Does.EndWith("/social"), "posted in the background");
    }

    [Test]
    public async Task RemovingTheElement_ClosesItsConnection()
    {
        await OpenAsync("/?watch=browser.leave");
        Assert.That(await _publisher.PublishAsync("before", channel: "browser.leave"), Is.EqualTo(1));
        await Expect(_page.Locator("#feed li")).ToHaveTextAsync(["before"]);

        var state = await _page.EvaluateAsync<string>("""
            () => {
              const stream = document.getElementById("feed-stream");
              stream.remove();
              return stream.getAttribute("state");
            }
            """);

        Assert.That(state, Is.EqualTo("closed"));
        await Eventually.HoldsAsync(async () => await _publisher.PublishAsync("anyone?", channel: "browser.leave") == 0, "the server saw the listener leave");
        if (Broker == BrokerKind.Redis)
        {
            Assert.That(await (await RedisTestServer.GetAsync()).NumSubAsync("browser.leave"), Is.Zero, "PUBSUB NUMSUB back to 0");
        }

        await Expect(_page.Locator("#social-stream")).ToHaveAttributeAsync("state", "open");
    }

    [Test]
    public async Task ChangingSrc_MovesTheConnectionToTheNewStream()
    {
        await OpenAsync("/?watch=browser.src.a");

        await _page.EvaluateAsync("() => document.getElementById('feed-stream').setAttribute('src', '/sse/stream?channel=browser.src.b')");

        await Expect(_page.Locator("#feed-stream")).ToHaveAttributeAsync("state", "open");
        await Eventually.HoldsAsync(async () => await _publisher.PublishAsync("to a", channel: "browser.src.a") == 0, "the old stream's listener left");
        Assert.That(await _publisher.PublishAsync("to b", channel: "browser.src.b"), Is.EqualTo(1));
        await Expect(_page.Locator("#feed li")).ToHaveTextAsync(["to b"]);
    }

    [Test]
    public async Task State_FollowsTheConnectionThroughAServerRestart()
    {
        var port = RedisTestServer.FreeLoopbackPort();
        var stream = _page.Locator("#feed-stream");
        var first = await StartSiteAsync(port);
        try
        {
            await OpenAsync($"http://127.0.0.1:{port}/?watch=browser.restart");
        }
        finally
        {
            await first.DisposeAsync();
        }

        // The server ended the stream and is gone: the browser keeps retrying (Sse:RetryInterval 200 ms).
        await Expect(stream).ToHaveAttributeAsync("state", "connecting");

        await using var second = await StartSiteAsync(port);
        await Expect(stream).ToHaveAttributeAsync("state", "open");
        Assert.That(await second.Services.GetRequiredService<ISsePublisher>().PublishAsync("after the restart", channel: "browser.restart"), Is.EqualTo(1));
        await Expect(_page.Locator("#feed li")).ToHaveTextAsync(["after the restart"]);
    }

    [Test]
    public async Task State_IsClosedWhenTheServerRefusesTheStream()
    {
        await OpenAsync("/social");

        await _page.EvaluateAsync("""
            () => {
              const stream = document.createElement("sse-stream");
              stream.id = "refused";
              stream.setAttribute("src", "/sse/stream?channel=" + "x".repeat(300));
              document.body.append(stream);
            }
            """);

        await Expect(_page.Locator("#refused")).ToHaveAttributeAsync("state", "closed");
        Assert.That(_pageErrors, Has.Count.EqualTo(1).And.One.Contains("400"), "the refusal, and nothing else");
        _pageErrors.Clear();
    }

    [Test]
    public async Task Screenshot_OfTheHomePage()
    {
        await OpenAsync("/");
        await _publisher.PublishAsync(new { message = "Hello!" }, type: "greeting");
        await _publisher.PublishAsync("Deploy finished: v2.4.1 is live", type: "status");
        await _publisher.PublishAsync("Disk usage above 90% on cache-2", type: "alert");
        await _publisher.PublishAsync("plain untyped message");
        await _publisher.PublishAsync(new { user = "alice", status = "Life is good!" }, type: "status", channel: "users.social");
        await _publisher.PublishAsync(new { user = "bob", status = "Shipping the tag helper today." }, type: "status", channel: "users.social");
        await Expect(_page.Locator("#feed li")).ToHaveCountAsync(4);
        await Expect(_page.Locator("#social-latest li")).ToHaveCountAsync(2);

        var file = Path.Combine(Repository.Root(), "artifacts", "screenshots", "sample-site.png");
        await _page.ScreenshotAsync(new() { Path = file, FullPage = true });
        TestContext.AddTestAttachment(file);
        if (Environment.GetEnvironmentVariable("SSEAREA_UPDATE_DOCS_SCREENSHOT") == "1")
        {
            File.Copy(file, Path.Combine(Repository.Root(), "docs", "sample-site.png"), overwrite: true);
        }

        Assert.That(new FileInfo(file).Length, Is.GreaterThan(10_000));
    }

    private BrokerKind Broker => broker;

    /// <summary>SampleSite on a fixed loopback port (so a second one can take over), browsers told to retry after 200 ms.</summary>
    [Test]
    public async Task AnalyticsPage_AdminSignedInThroughTheForm_SeesLiveFigures()
    {
        await _page.GotoAsync("/analytics");
        await Expect(_page).ToHaveURLAsync(new Regex("/account/login\\?ReturnUrl=%2Fanalytics$"));

        await _page.FillAsync("#UserName", "admin");
        await _page.FillAsync("#Password", "admin");
        await _page.ClickAsync("form.publish button[type=submit]");

        await Expect(_page).ToHaveURLAsync(new Regex("/analytics$"));
        await Expect(_page.Locator("#analytics-stream")).ToHaveAttributeAsync("state", "open");
        // The background service publishes every 2 s; the default expect timeout is 10 s.
        // This page itself follows analytics: at least one subscriber, counted through ISseChannelStats.
        await Expect(_page.Locator("dd[data-figure=subscribers][data-key=analytics]")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
        await Expect(_page.Locator("dd[data-figure=connections]")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
        await Expect(_page.Locator("header nav .who")).ToHaveTextAsync("admin");
    }

    private async Task<SampleSiteFactory> StartSiteAsync(int port)
    {
        var site = await SampleSiteFactory.CreateAsync(broker, new Dictionary<string, string?> { ["Sse:RetryInterval"] = "00:00:00.200" });
        site.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        site.StartServer();
        return site;
    }

    private async Task<IBrowserContext> NewContextAsync()
    {
        var context = await _browser.NewContextAsync(new()
        {
            BaseURL = _address,
            ViewportSize = new() { Width = 1280, Height = 860 },
            Locale = "en-GB",
        });
        context.Page += (_, page) =>
        {
            page.PageError += (_, error) => _pageErrors.Add(error);
            page.Response += (_, response) =>
            {
                if (response.Status >= 400)
                {
                    _pageErrors.Add($"{response.Status} {response.Url}");
                }
            };
        };
        return context;
    }

    /// <summary>Opens <paramref name="path"/> and waits until every stream element on it is open.</summary>
    private async Task OpenAsync(string path, IPage? page = null)
    {
        page ??= _page;
        var response = await page.GotoAsync(path);
        Assert.That(response?.Status, Is.EqualTo(200), path);
        await Expect(page.Locator("sse-stream")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator("sse-stream:not([state=open])")).ToHaveCountAsync(0);
    }

}
