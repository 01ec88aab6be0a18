using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// Pages of the fixture's site (<see cref="SiteFixture{TEntryPoint}"/>) in the run's browser
/// (<see cref="BrowserSession"/>): a fresh browser context and page per test, closed after it;
/// every script error and every answer of 400 or more on a page fails the test, unless the test
/// took it out of <see cref="PageErrors"/>.
/// </summary>
public abstract class BrowserFixture<TEntryPoint> : SiteFixture<TEntryPoint>
    where TEntryPoint : class
{
    private IBrowser _browser = null!;

    /// <summary>The test's page.</summary>
    protected IPage Page { get; private set; } = null!;

    /// <summary>Script errors and failed answers seen on the test's pages so far.</summary>
    protected List<string> PageErrors { get; } = [];

    private IBrowserContext Context { get; set; } = null!;

    [OneTimeSetUp]
    public async Task StartBrowserAsync()
    {
        _browser = await BrowserSession.GetAsync();
        SetDefaultExpectTimeout(10_000);
    }

    [SetUp]
    public async Task OpenPageAsync()
    {
        PageErrors.Clear();
        Context = await NewContextAsync();
        Page = await Context.NewPageAsync();
    }

    [TearDown]
    public async Task ClosePageAsync()
    {
        await Context.CloseAsync();
        Assert.That(PageErrors, Is.Empty, "script errors or failed answers on the page");
    }

    /// <summary>A browser context of its own (another visitor); dispose it.</summary>
    protected async Task<IBrowserContext> NewContextAsync()
    {
        var context = await _browser.NewContextAsync(new()
        {
            BaseURL = Site.Address.ToString(),
            ViewportSize = new() { Width = 1280, Height = 860 },
            Locale = "en-GB",
        });
        context.Page += (_, page) =>
        {
            page.PageError += (_, error) => PageErrors.Add(error);
            page.Response += (_, response) =>
            {
                if (response.Status >= 400)
                {
                    PageErrors.Add($"{response.Status} {response.Url}");
                }
            };
        };
        return context;
    }

    /// <summary>Opens <paramref name="path"/> and waits until every stream element on it is open.</summary>
    protected async Task OpenAsync(string path, IPage? page = null)
    {
        page ??= Page;
        var response = await page.GotoAsync(path);
        Assert.That(response?.Status, Is.EqualTo(200), path);
        await Expect(page.Locator("sse-stream")).Not.ToHaveCountAsync(0);
        await Expect(page.Locator("sse-stream:not([state=open])")).ToHaveCountAsync(0);
    }
}
