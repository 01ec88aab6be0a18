using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using SseArea.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseArea.Tests.Sample;

/// <summary>
/// SampleSite's pages in a real browser (headless chromium), on each broker: the live feed, the
/// social timeline, the analytics page behind the sign-in form, and the home page's screenshot for
/// the docs.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class SampleSiteBrowserTests(BrokerKind broker) : BrowserFixture<Program>
{
    private protected override TestSiteOptions SiteOptions => new() { Broker = broker };

    [Test]
    public async Task HomeFeed_ShowsAGreetingPublishedAfterPageLoad()
    {
        await OpenAsync("/");

        Assert.That(await Http.GetStringAsync("/hello"), Is.EqualTo("Message sent!"));

        var lines = Page.Locator("#feed li");
        await Expect(lines).ToHaveTextAsync(["{\"message\":\"Hello!\"}"]);
        await Expect(lines).ToHaveAttributeAsync("data-type", "greeting");
    }

    [Test]
    public async Task SocialStatus_PostedWithTheForm_ReachesEveryOpenPage()
    {
        await using var otherContext = await NewContextAsync();
        var other = await otherContext.NewPageAsync();
        await OpenAsync("/social");
        await OpenAsync("/social", other);

        await Page.FillAsync("#Name", "carol"); // not a user of the site: anyone may post under it
        await Page.FillAsync("#Status", "Life is <b>good</b>!");
        await Page.ClickAsync("form.publish button[type=submit]");

        foreach (var page in new[] { Page, other })
        {
            // The fixture's other tests post too: the newest status is first.
            await Expect(page.Locator("#statuses li strong.user").First).ToHaveTextAsync("carol");
            await Expect(page.Locator("#statuses li p").First).ToHaveTextAsync("Life is <b>good</b>!");
            Assert.That(await page.Locator("#statuses li p b").CountAsync(), Is.Zero, "the status's markup is text");
            await Expect(page.Locator("#statuses li .delete").First).ToBeHiddenAsync(); // nobody signed in: nobody's delete button
        }

        await Expect(Page.Locator("#post-status")).ToHaveTextAsync(new Regex("^Sent to 'users.social': [1-9][0-9]* receiver\\(s\\)\\.$"));
        Assert.That(Page.Url, Does.EndWith("/social"), "posted in the background");
    }

    [Test]
    public async Task SocialTimeline_IsDrawnWithThePage_AndAgainFromTheServer_WhenTheStreamSaysEventsWereMissed()
    {
        await using var site = await TestSite<Program>.StartAsync(new TestSiteOptions { Broker = broker, Settings = { [TestSettings.HistoryLength] = "10" } });
        var recent = site.Services.GetRequiredService<SampleSite.Services.RecentStatuses>();
        recent.Add("bob", "posted before the page loaded", DateTimeOffset.UtcNow);
        await OpenAsync(new Uri(site.Address, "/social").ToString());
        await Expect(Page.Locator("#statuses li .user")).ToHaveTextAsync(["bob"]);

        // A status the page never got as an event (posted while its stream was down), then a stream that resumes
        // from an id the server no longer knows: it says events may have been missed.
        recent.Add("carol", "posted while the page was away", DateTimeOffset.UtcNow);
        await Page.EvaluateAsync("() => document.getElementById('social-stream').setAttribute('src', '/sse/stream?channel=users.social&lastEventId=gone')");

        await Expect(Page.Locator("#statuses")).ToHaveAttributeAsync("data-reloaded", "1");
        await Expect(Page.Locator("#statuses li .user")).ToHaveTextAsync(["carol", "bob"]);
    }

    [Test]
    public async Task Screenshot_OfTheHomePage()
    {
        await OpenAsync("/");
        await Publisher.PublishAsync(new { message = "Hello!" }, type: "greeting");
        await Publisher.PublishAsync("Deploy finished: v2.4.1 is live", type: "status");
        await Publisher.PublishAsync("Disk usage above 90% on cache-2", type: "alert");
        await Publisher.PublishAsync("plain untyped message");
        await PostStatusAsync("alice", "Life is good!");
        await PostStatusAsync("bob", "Shipping the tag helper today.");
        await Expect(Page.Locator("#feed li")).ToHaveCountAsync(4);
        await Expect(Page.Locator("#statuses li p").First).ToHaveTextAsync("Shipping the tag helper today.");

        var file = Path.Combine(Repository.Root(), "artifacts", "screenshots", "sample-site.png");
        await Page.ScreenshotAsync(new() { Path = file, FullPage = true });
        TestContext.AddTestAttachment(file);
        if (Environment.GetEnvironmentVariable("SSEAREA_UPDATE_DOCS_SCREENSHOT") == "1")
        {
            File.Copy(file, Path.Combine(Repository.Root(), "docs", "sample-site.png"), overwrite: true);
        }

        Assert.That(new FileInfo(file).Length, Is.GreaterThan(10_000));
    }

    [Test]
    public async Task AnalyticsPage_AdminSignedInThroughTheForm_SeesLiveFigures()
    {
        await Page.GotoAsync("/analytics");
        await Expect(Page).ToHaveURLAsync(new Regex("/account/login\\?ReturnUrl=%2Fanalytics$"));

        await Page.FillAsync("#UserName", "admin");
        await Page.FillAsync("#Password", "admin");
        await Page.ClickAsync("form.publish button[type=submit]");

        await Expect(Page).ToHaveURLAsync(new Regex("/analytics$"));
        await Expect(Page.Locator("#analytics-stream")).ToHaveAttributeAsync("state", "open");
        // The background service publishes every 2 s; the default expect timeout is 10 s.
        // This page itself follows analytics: at least one subscriber, counted through ISseChannelStats.
        await Expect(Page.Locator("dd[data-figure=subscribers][data-key=analytics]")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
        await Expect(Page.Locator("dd[data-figure=connections]")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
        await Expect(Page.Locator("header nav .who")).ToHaveTextAsync("admin");
    }

    [Test]
    public async Task RazorPage_FollowsPublicAndProtectedChannels_RefusedUntilTheAdminSignsIn()
    {
        await Page.GotoAsync("/live");
        await Expect(Page.Locator("#live-social")).ToHaveAttributeAsync("state", "open");
        await Expect(Page.Locator("#live-analytics")).ToHaveAttributeAsync("state", "refused");
        await Expect(Page.Locator("#live-refused")).ToHaveTextAsync("Sign in as an admin to see this feed.");
        PageErrors.Clear(); // the refused stream's 403s

        await Page.GotoAsync("/account/login?ReturnUrl=%2Flive");
        await Page.FillAsync("#UserName", "admin");
        await Page.FillAsync("#Password", "admin");
        await Page.ClickAsync("form.publish button[type=submit]");

        await Expect(Page).ToHaveURLAsync(new Regex("/live$"));
        await Expect(Page.Locator("#live-analytics")).ToHaveAttributeAsync("state", "open");
        await Expect(Page.Locator("#live-figures li").First).ToBeVisibleAsync(); // figures every 2 s
        await PostStatusAsync("alice", "from a controller, to a Razor Page");
        await Expect(Page.Locator("#statuses li p").First).ToHaveTextAsync("from a controller, to a Razor Page");
    }

    [Test]
    public async Task AStatus_DeletedByItsAuthor_LeavesEveryOpenPage()
    {
        await using var otherContext = await NewContextAsync();
        var other = await otherContext.NewPageAsync();
        await Page.GotoAsync("/account/login?ReturnUrl=%2Fsocial");
        await Page.FillAsync("#UserName", "alice");
        await Page.FillAsync("#Password", "alice");
        await Page.ClickAsync("form.publish button[type=submit]");
        await Expect(Page).ToHaveURLAsync(new Regex("/social$"));
        await Expect(Page.Locator("#social-stream")).ToHaveAttributeAsync("state", "open");
        await OpenAsync("/social", other);

        await Page.FillAsync("#Status", "soon gone");
        await Page.ClickAsync("form.publish button[type=submit]");
        var mine = Page.Locator("#statuses li", new() { HasText = "soon gone" });
        await Expect(other.Locator("#statuses li", new() { HasText = "soon gone" })).ToHaveCountAsync(1);
        await Expect(other.Locator("#statuses li .delete").First).ToBeHiddenAsync(); // not signed in there
        await mine.Locator(".delete").ClickAsync(); // shown to its author

        await Expect(other.Locator("#statuses li", new() { HasText = "soon gone" })).ToHaveCountAsync(0);
        await Expect(Page.Locator("#statuses li", new() { HasText = "soon gone" })).ToHaveCountAsync(0);
    }

    private Task<long> PostStatusAsync(string user, string text)
    {
        var status = Site.Services.GetRequiredService<SampleSite.Services.RecentStatuses>().Add(user, text, DateTimeOffset.UtcNow);
        return Site.Services.GetRequiredService<ISseViews>().PrependAsync(SampleSite.Controllers.SocialController.Channel, "statuses", "_Status", status);
    }
}
