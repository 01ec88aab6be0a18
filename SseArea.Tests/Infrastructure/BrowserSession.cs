using Microsoft.Playwright;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// The one headless browser of a test run: Debian's <c>chromium</c> driven by Playwright (no
/// <c>playwright install</c>, no download). Started on first use, closed when the run ends.
/// </summary>
internal static class BrowserSession
{
    private const string Chromium = "/usr/bin/chromium";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;

    /// <summary>The run's browser; fails (never skips) under CI when chromium is missing, skips elsewhere.</summary>
    public static async Task<IBrowser> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_browser is null)
            {
                var executable = Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : Chromium;
                if (!File.Exists(executable))
                {
                    var missing = $"No browser for the browser tests: {executable} is missing (apt-get install -y chromium; eng/test.sh does it).";
                    if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
                    {
                        Assert.Fail(missing);
                    }

                    Assert.Ignore(missing);
                }

                _playwright = await Playwright.CreateAsync();
                _browser = await _playwright.Chromium.LaunchAsync(new()
                {
                    ExecutablePath = executable,
                    Headless = true,
                    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
                });
                TestContext.Progress.WriteLine($"Browser for this run: {executable} {_browser.Version}");
            }

            return _browser;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Closes the run's browser, if one was started.</summary>
    public static async Task StopAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
            _browser = null;
        }

        _playwright?.Dispose();
        _playwright = null;
    }
}
