using System.Net;
using System.Text.Json;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Sample;

/// <summary>
/// <see cref="SocialTurboHtmxTests"/> in Firefox ESR (puppeteer-core, <see cref="FieldBrowser"/>; the Playwright tests
/// run Chromium): Turbo 8's <c>&lt;turbo-stream-source&gt;</c> and htmx 2's SSE extension, vendored in SampleSite, get a
/// status posted through the Social form, as text, and its author's delete removes it, on each broker.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(90_000)]
public sealed class SocialTurboHtmxFirefoxTests(BrokerKind broker)
{
    [Test]
    public async Task APostedStatus_ReachesTheTurboAndHtmxPages_AsText_AndItsDeleteRemovesIt()
    {
        await using var site = await TestSite<Program>.StartAsync(new TestSiteOptions { Broker = broker });
        var browser = await FieldBrowser.GetAsync(BrowserKind.Firefox);
        var turbo = await browser.NewPageAsync();
        var htmx = await browser.NewPageAsync();
        try
        {
            Assert.That(await turbo.GotoAsync(new Uri(site.Address, "/social/turbo").ToString()), Is.EqualTo(200));
            await turbo.WaitAsync("() => document.getElementById('turbo-source').streamSource?.readyState === EventSource.OPEN", "Turbo's stream open");
            Assert.That(await htmx.GotoAsync(new Uri(site.Address, "/social/htmx").ToString()), Is.EqualTo(200));
            await htmx.WaitAsync("() => document.getElementById('htmx-source')['htmx-internal-data']?.sseEventSource?.readyState === EventSource.OPEN", "htmx's stream open");
            var text = "Firefox: <b>" + Guid.NewGuid().ToString("N")[..8] + "</b>";

            using var alice = await SampleForms.SignedInAsync(site, "alice");
            using var posted = await SampleForms.PostAsync(alice, "/social", new() { ["Name"] = "alice", ["Status"] = text });
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.OK));

            var shown = $$"""
                () => [...document.querySelectorAll('#statuses li')].some(li =>
                    li.querySelector('p')?.textContent === {{JsonSerializer.Serialize(text)}} && !li.querySelector('p b')
                    && li.querySelector('strong.user')?.textContent === 'alice')
                """;
            await turbo.WaitAsync(shown, "the status on the Turbo page, as text");
            await htmx.WaitAsync(shown, "the status on the htmx page, as text");
            var id = (await turbo.EvaluateAsync($$"""
                () => [...document.querySelectorAll('#statuses li')].find(li => li.querySelector('p')?.textContent === {{JsonSerializer.Serialize(text)}}).id
                """)).GetString()!;

            using var deleted = await SampleForms.PostAsync(alice, "/social/delete", new() { ["id"] = id["status-".Length..] });
            Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            await turbo.WaitAsync($"() => document.getElementById('{id}') === null", "the status removed from the Turbo page");
            await htmx.WaitAsync($"() => document.getElementById('{id}') === null", "the status removed from the htmx page");
            Assert.That(await turbo.ErrorsAsync(), Is.Empty);
            Assert.That(await htmx.ErrorsAsync(), Is.Empty);
        }
        finally
        {
            await turbo.CloseAsync();
            await htmx.CloseAsync();
        }
    }
}
