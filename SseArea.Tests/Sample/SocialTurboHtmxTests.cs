using System.Net;
using Microsoft.Playwright;
using SseArea.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseArea.Tests.Sample;

/// <summary>
/// SampleSite's timeline with the real npm packages, vendored in <c>wwwroot/lib</c>: Turbo 8's
/// <c>&lt;turbo-stream-source&gt;</c> applying the stream actions as they are, and htmx 2's SSE extension taking its own
/// form of them; a status posted through the Social form reaches both, as text, and its author's delete removes it.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class SocialTurboHtmxTests(BrokerKind broker) : BrowserFixture<Program>
{
    private protected override TestSiteOptions SiteOptions => new() { Broker = broker };

    [Test]
    public async Task APostedStatus_ReachesTheTurboAndHtmxPages_AsText_AndItsDeleteRemovesIt()
    {
        await using var htmxContext = await NewContextAsync();
        var htmx = await htmxContext.NewPageAsync();
        await OpenTurboAsync(Page);
        await OpenHtmxAsync(htmx);
        var text = "Turbo and htmx: <b>" + Guid.NewGuid().ToString("N")[..8] + "</b>";

        using var alice = await SampleForms.SignedInAsync(Site, "alice");
        using var posted = await SampleForms.PostAsync(alice, "/social", new() { ["Name"] = "alice", ["Status"] = text });
        Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        foreach (var page in new[] { Page, htmx })
        {
            var item = page.Locator("#statuses li", new() { HasText = text });
            await Expect(item).ToHaveCountAsync(1);
            await Expect(item.Locator("strong.user")).ToHaveTextAsync("alice");
            await Expect(item.Locator("p b")).ToHaveCountAsync(0);
            await Expect(page.Locator("#statuses li p").First).ToHaveTextAsync(text); // prepended: the newest first
        }

        var id = (await Page.Locator("#statuses li", new() { HasText = text }).GetAttributeAsync("id"))!["status-".Length..];
        using var deleted = await SampleForms.PostAsync(alice, "/social/delete", new() { ["id"] = id });
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        foreach (var page in new[] { Page, htmx })
        {
            await Expect(page.Locator("#status-" + id)).ToHaveCountAsync(0);
        }
    }

    private static async Task OpenTurboAsync(IPage page)
    {
        Assert.That((await page.GotoAsync("/social/turbo"))?.Status, Is.EqualTo(200));
        await page.WaitForFunctionAsync("() => document.getElementById('turbo-source').streamSource?.readyState === EventSource.OPEN");
    }

    private static async Task OpenHtmxAsync(IPage page)
    {
        Assert.That((await page.GotoAsync("/social/htmx"))?.Status, Is.EqualTo(200));
        await page.WaitForFunctionAsync("() => document.getElementById('htmx-source')['htmx-internal-data']?.sseEventSource?.readyState === EventSource.OPEN");
    }
}
