using System.Text.RegularExpressions;
using SseArea.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace SseArea.Tests.Sample;

/// <summary>
/// SampleSite's dashboard in Chromium, for its admin: signed in through the form, the page's own stream opens and its
/// figures move as streams open and events flow; the screenshot in the README is taken here.
/// </summary>
public sealed class SampleDashboardBrowserTests : BrowserFixture<Program>
{
    [Test]
    public async Task TheAdmin_SeesConnectionsAndEventsMove_AndTheScreenshotIsTaken()
    {
        await Page.GotoAsync("/account/login?ReturnUrl=%2Fsse%2Fdashboard");
        await Page.FillAsync("#UserName", "admin");
        await Page.FillAsync("#Password", "admin");
        await Page.ClickAsync("form.publish button[type=submit]");
        await Expect(Page).ToHaveURLAsync(new Regex("/sse/dashboard$"));
        await Expect(Page.Locator("#state")).ToHaveTextAsync("open");

        var streams = new List<SseTestStream>();
        using var publishing = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var publisher = Task.Run(async () =>
        {
            for (var i = 0; !publishing.IsCancellationRequested; i++)
            {
                await Publisher.PublishAsync($"deploy {i} finished", type: "status", channel: "news");
                await Publisher.PublishAsync(new { user = "alice", status = $"post {i}" }, type: "status", channel: "users.social");
                await Task.Delay(50);
            }
        });
        try
        {
            foreach (var channel in new[] { "news", "news", "news", "users.social", "users.social", "sse" })
            {
                streams.Add(await SseTestStream.OpenAsync(Http, $"/sse/stream?channel={channel}"));
            }

            await Expect(Page.Locator("#connections-all")).ToHaveTextAsync("6");
            await Expect(Page.Locator("#viewers")).ToHaveTextAsync("1");
            await Expect(Page.Locator("#rate-published")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
            await Expect(Page.Locator("#rate-delivered")).ToHaveTextAsync(new Regex("^[1-9][0-9]*$"));
            await Expect(Page.Locator("#busiest tbody tr").First).ToHaveTextAsync(new Regex("^news\\s*3$"));
            await Expect(Page.Locator("#health")).ToHaveTextAsync("Healthy");
            await Expect(Page.Locator("#chart-delivered polyline")).ToHaveAttributeAsync("points", new Regex(" "));
            await Task.Delay(TimeSpan.FromSeconds(8)); // more points on the charts for the picture

            var file = Path.Combine(Repository.Root(), "artifacts", "screenshots", "dashboard.png");
            await Page.ScreenshotAsync(new() { Path = file, FullPage = true });
            TestContext.AddTestAttachment(file);
            if (Environment.GetEnvironmentVariable("SSEAREA_UPDATE_DOCS_SCREENSHOT") == "1")
            {
                File.Copy(file, Path.Combine(Repository.Root(), "docs", "dashboard.png"), overwrite: true);
            }

            Assert.That(new FileInfo(file).Length, Is.GreaterThan(10_000));
        }
        finally
        {
            await publishing.CancelAsync();
            await publisher;
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }
}
