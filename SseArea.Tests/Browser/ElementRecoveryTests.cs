using System.Text.Json;
using SseArea.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseArea.Tests.Browser;

/// <summary>
/// The <c>&lt;sse-stream&gt;</c> element refused, in headless chromium (Playwright sees every request of the page):
/// a refusal is not retried, and the element says why. Recovery after 503s, positions and missed events are covered in
/// both browsers by <see cref="BothBrowsersTests"/>.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class ElementRecoveryTests(BrokerKind broker) : BrowserFixture<TestHost.Program>
{
    private protected override TestSiteOptions SiteOptions => new() { Broker = broker };

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
}
