using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SseArea.Tests.Infrastructure;

/// <summary>The browsers the field tests run in.</summary>
public enum BrowserKind
{
    /// <summary>Debian's <c>chromium</c>.</summary>
    Chromium,

    /// <summary>Debian's <c>firefox-esr</c>, over WebDriver BiDi.</summary>
    Firefox,
}

/// <summary>
/// A real browser driven by npm's <c>puppeteer-core</c> (<c>Field/clients/browser.mjs</c>, the version pinned in its
/// package-lock), the one driver that reaches both Firefox ESR and Chromium here (Playwright can not launch the
/// system Firefox; PuppeteerSharp's BiDi needs a WebDriverBiDi package the feed does not serve). One per kind for
/// the run, started on first use, closed when the run ends.
/// </summary>
internal sealed class FieldBrowser : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<BrowserKind, Lazy<Task<FieldBrowser>>> Running = new();

    private readonly Process _node;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _waiting = new();
    private readonly SemaphoreSlim _send = new(1, 1);
    private int _next;

    private FieldBrowser(Process node, TaskCompletionSource<JsonElement> started)
    {
        _node = node;
        _waiting[0] = started; // the script's first line: the browser's version
        _node.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text && text.StartsWith('{'))
            {
                var answer = JsonDocument.Parse(text).RootElement.Clone();
                if (_waiting.TryRemove(answer.GetProperty("id").GetInt32(), out var waiter))
                {
                    waiter.TrySetResult(answer);
                }
            }
        };
        _node.BeginOutputReadLine();
        _node.BeginErrorReadLine(); // the browsers' own chatter
    }

    /// <summary>The browser's name and version.</summary>
    public string Version { get; private set; } = string.Empty;

    /// <summary>The run's browser of <paramref name="kind"/>; fails under CI (ignored elsewhere) when it or node is missing.</summary>
    public static async Task<FieldBrowser> GetAsync(BrowserKind kind)
    {
        var executable = kind == BrowserKind.Firefox ? "/usr/bin/firefox-esr" : "/usr/bin/chromium";
        var folder = Path.Combine(Repository.Root(), "SseArea.Tests", "Field", "clients");
        if (!File.Exists(executable) || LocalTools.Find("node") is null || !Directory.Exists(Path.Combine(folder, "node_modules", "puppeteer-core")))
        {
            LocalTools.Unavailable($"{executable}, node and puppeteer-core are needed (eng/test.sh installs them).");
        }

        return await Running.GetOrAdd(kind, k => new(() => StartAsync(k, folder))).Value;
    }

    /// <summary>Closes the run's browsers.</summary>
    public static async Task StopAllAsync()
    {
        foreach (var browser in Running.Values.Where(b => b.IsValueCreated))
        {
            await (await browser.Value).DisposeAsync();
        }

        Running.Clear();
    }

    /// <summary>A fresh browser context (its own cookies, storage and SharedWorkers) with one tab.</summary>
    public async Task<FieldPage> NewPageAsync() => new(this, (await CallAsync(new() { ["op"] = "page" })).GetString()!);

    internal async Task<JsonElement> CallAsync(JsonObject command, TimeSpan? timeout = null)
    {
        var id = Interlocked.Increment(ref _next);
        command["id"] = id;
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _waiting[id] = answer;
        await _send.WaitAsync();
        try
        {
            await _node.StandardInput.WriteLineAsync(command.ToJsonString());
            await _node.StandardInput.FlushAsync();
        }
        finally
        {
            _send.Release();
        }

        var result = await answer.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        return result.TryGetProperty("error", out var error)
            ? throw new InvalidOperationException($"{command["op"]} failed in {Version}: {error.GetString()}")
            : result.GetProperty("value");
    }

    public async ValueTask DisposeAsync()
    {
        _node.StandardInput.Close(); // the script closes the browser when its stdin ends
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _node.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _node.Kill(entireProcessTree: true);
        }

        _node.Dispose();
    }

    private static async Task<FieldBrowser> StartAsync(BrowserKind kind, string folder)
    {
        var start = new ProcessStartInfo(LocalTools.Find("node")!)
        {
            ArgumentList = { Path.Combine(folder, "browser.mjs"), kind == BrowserKind.Firefox ? "firefox" : "chromium" },
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var started = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var browser = new FieldBrowser(Process.Start(start)!, started);
        var version = await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        browser.Version = version.GetProperty("value").GetString()!;
        TestContext.Progress.WriteLine($"Field browser for this run: {browser.Version}");
        return browser;
    }
}

/// <summary>One tab of a <see cref="FieldBrowser"/>: what the tests do with it, each step awaited with a deadline.</summary>
internal sealed class FieldPage(FieldBrowser browser, string name)
{
    /// <summary>Another tab of the same browser context (same cookies, same SharedWorkers).</summary>
    public async Task<FieldPage> NewTabAsync()
        => new(browser, (await browser.CallAsync(new() { ["op"] = "tab", ["page"] = name })).GetString()!);

    /// <summary>Opens <paramref name="url"/>; its HTTP status.</summary>
    public async Task<int> GotoAsync(string url) => (await browser.CallAsync(new() { ["op"] = "goto", ["page"] = name, ["url"] = url })).GetInt32();

    /// <summary>Runs <paramref name="script"/> (a function's source, as <c>() =&gt; ...</c>) in the page; its JSON result.</summary>
    public Task<JsonElement> EvaluateAsync(string script) => browser.CallAsync(new() { ["op"] = "eval", ["page"] = name, ["script"] = script });

    /// <summary>Waits until <paramref name="script"/> returns a truthy value; fails with <paramref name="what"/> after the timeout.</summary>
    public async Task WaitAsync(string script, string what, int timeoutMs = 15_000)
    {
        try
        {
            await browser.CallAsync(new() { ["op"] = "wait", ["page"] = name, ["script"] = script, ["timeout"] = timeoutMs }, TimeSpan.FromMilliseconds(timeoutMs + 10_000));
        }
        catch (InvalidOperationException e)
        {
            Assert.Fail($"Waited {timeoutMs} ms in {browser.Version} for {what}: {e.Message}");
        }
    }

    /// <summary>The script errors the page raised so far.</summary>
    public async Task<List<string>> ErrorsAsync()
        => [.. (await browser.CallAsync(new() { ["op"] = "errors", ["page"] = name })).EnumerateArray().Select(e => e.GetString()!)];

    /// <summary>Closes the tab (its context's other tabs stay).</summary>
    public Task CloseAsync() => browser.CallAsync(new() { ["op"] = "close", ["page"] = name });
}
