using System.Diagnostics;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Field;

/// <summary>
/// A deploy behind a real proxy: SampleSite as it ships (published, its own process, Production, Redis with history)
/// behind Debian's nginx with the docs' proxy block, its home page open in Firefox ESR and Chromium; SampleSite stops
/// (SIGTERM) and starts again on the same port. While it is down nginx answers 502, which ends an EventSource for good: the page's
/// elements must come back by themselves, with what was published meanwhile.
/// </summary>
[TestFixture(BrowserKind.Firefox)]
[TestFixture(BrowserKind.Chromium)]
[CancelAfter(120_000)]
public sealed class ProxyRestartTests(BrowserKind kind)
{
    [Test]
    public async Task ADeployBehindNginx_TheHomePageComesBackByItself_WithWhatWasPublishedWhileTheSiteWasDown()
    {
        var browser = await FieldBrowser.GetAsync(kind);
        await using var redis = await OwnRedisServer.StartAsync();
        var settings = new Dictionary<string, string>
        {
            [TestSettings.AsEnvironmentVariable(TestSettings.RedisUrl)] = redis.Url,
            [TestSettings.AsEnvironmentVariable(TestSettings.HistoryLength)] = "100",
        };
        var port = RedisTestServer.FreeLoopbackPort();
        var sampleSite = await PublishedSampleSite.BuildAsync();
        var site = await TestSiteProcess.StartAsync(sampleSite, settings, port);
        try
        {
            await using var nginx = await NginxProxy.StartAsync(site.Address);
            var page = await browser.NewPageAsync();
            try
            {
                Assert.That(await page.GotoAsync(new Uri(nginx.Address, "/").ToString()), Is.EqualTo(200));
                await page.WaitAsync("() => document.querySelectorAll('sse-stream[state=open]').length === 2", "both elements open through nginx");
                await page.EvaluateAsync("() => { window.errors = []; document.getElementById('feed-stream').addEventListener('sse-error', (e) => window.errors.push(e.detail)); }");

                // The deploy: the site stops; nginx answers 502 meanwhile; another server publishes.
                await site.DisposeAsync();
                await page.WaitAsync("() => window.errors.some((e) => e.status === 502)", "the element saw nginx's 502 and retries", 20_000);
                await using (var publisher = await TestSite.StartAsync(new TestSiteOptions
                {
                    Settings = { [TestSettings.RedisUrl] = redis.Url, [TestSettings.HistoryLength] = "100" },
                }))
                {
                    await publisher.Publisher.PublishAsync("published during the deploy"); // the default channel, the feed's
                }

                site = await TestSiteProcess.StartAsync(sampleSite, settings, port);
                var back = Stopwatch.StartNew();
                await page.WaitAsync("() => [...document.querySelectorAll('#feed li')].some((li) => li.textContent === 'published during the deploy')", "the event published while the site was down", 60_000);
                TestContext.Progress.WriteLine($"{browser.Version}: first event {back.ElapsedMilliseconds} ms after the site was back");
                await page.WaitAsync("() => document.querySelectorAll('sse-stream[state=open]').length === 2", "both elements open again");

                Assert.That(await site.Http.GetStringAsync("/hello"), Is.EqualTo("Message sent!"));
                await page.WaitAsync("() => [...document.querySelectorAll('#feed li')].some((li) => li.textContent === '{\"message\":\"Hello!\"}')", "a greeting published after the deploy");
                Assert.That(await page.ErrorsAsync(), Is.Empty, "script errors");
            }
            finally
            {
                await page.CloseAsync();
            }
        }
        finally
        {
            await site.DisposeAsync();
        }
    }
}
