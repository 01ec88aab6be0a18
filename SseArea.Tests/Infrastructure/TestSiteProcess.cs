using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace SseArea.Tests.Infrastructure;

/// <summary>Which site a <see cref="TestSiteProcess"/> runs: an assembly, from a working directory (its content root).</summary>
internal sealed record SiteBuild(string WorkingDirectory, string Assembly)
{
    /// <summary>The configuration this test run was built in.</summary>
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    /// <summary>The library's test host, as this test run built it.</summary>
    public static SiteBuild TestHost => Built(Path.Combine("SseArea.Tests", "TestHost"), "SseArea.TestHost");

    /// <summary>SampleSite, as this test run built it.</summary>
    public static SiteBuild SampleSite => Built("SampleSite", "SampleSite");

    /// <summary>A site published into <paramref name="folder"/>, run from there.</summary>
    public static SiteBuild Published(string folder, string assemblyName) => new(folder, assemblyName + ".dll");

    private static SiteBuild Built(string project, string assemblyName)
    {
        var folder = Path.Combine(Repository.Root(), project);
        return new SiteBuild(folder, Path.Combine(folder, "bin", Configuration, "net10.0", assemblyName + ".dll"));
    }
}

/// <summary>
/// A site as its own process (<c>dotnet Site.dll</c>) on a free loopback port, in the Production
/// environment, configured by environment variables as in production. Stopped by its id with
/// SIGTERM (a clean stop); what it writes is kept in <see cref="Log"/>.
/// </summary>
internal sealed class TestSiteProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log;
    private int _disposed;

    private TestSiteProcess(Process process, ConcurrentQueue<string> log, Uri address)
    {
        _process = process;
        _log = log;
        Address = address;
        // A response disposed before its end closes its connection at once (see TestSite.CreateClient).
        Http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri Address { get; }

    /// <summary>A client of this process only.</summary>
    public HttpClient Http { get; }

    /// <summary>What the process wrote so far, for failure messages.</summary>
    public string Log => string.Join('\n', _log);

    /// <summary>Starts the test host; <paramref name="environment"/> holds its settings (<see cref="TestSettings.AsEnvironmentVariable"/>).</summary>
    public static Task<TestSiteProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
        => StartAsync(SiteBuild.TestHost, environment);

    /// <summary>
    /// Starts <paramref name="site"/> on <paramref name="port"/> (default: a free one) and waits until it listens; the
    /// Redis URL is only what <paramref name="environment"/> sets.
    /// </summary>
    public static async Task<TestSiteProcess> StartAsync(SiteBuild site, IReadOnlyDictionary<string, string>? environment = null, int? port = null)
    {
        port ??= RedisTestServer.FreeLoopbackPort();
        var start = new ProcessStartInfo(Dotnet())
        {
            WorkingDirectory = site.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[site.Assembly, "--urls", $"http://127.0.0.1:{port.Value.ToString(CultureInfo.InvariantCulture)}"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var key in TestSettings.Broker(null).Keys.Select(TestSettings.AsEnvironmentVariable))
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var log = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Watch(e.Data);
        process.ErrorDataReceived += (_, e) => Watch(e.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException($"{site.Assembly} exited:\n" + string.Join('\n', log)));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var running = new TestSiteProcess(process, log, new Uri($"http://127.0.0.1:{port.Value.ToString(CultureInfo.InvariantCulture)}"));
        try
        {
            await listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            await running.DisposeAsync();
            Assert.Fail($"{site.Assembly} did not listen within {StartTimeout.TotalSeconds} s:\n{string.Join('\n', log)}");
        }
        catch
        {
            await running.DisposeAsync();
            throw;
        }

        return running;

        void Watch(string? line)
        {
            if (line is null)
            {
                return;
            }

            log.Enqueue(line);
            if (line.Contains("Now listening on", StringComparison.Ordinal))
            {
                listening.TrySetResult();
            }
        }
    }

    /// <summary>Publishes <paramref name="data"/> through the test host's <c>POST /test/publish</c>; returns the receiver count it answered.</summary>
    public async Task<long> PublishAsync(string data, string? type = null, string? channel = null)
    {
        var query = new List<string>();
        if (channel is not null)
        {
            query.Add("channel=" + Uri.EscapeDataString(channel));
        }

        if (type is not null)
        {
            query.Add("type=" + Uri.EscapeDataString(type));
        }

        using var content = new StringContent(data);
        using var response = await Http.PostAsync("/test/publish?" + string.Join('&', query), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"POST /test/publish answered {(int)response.StatusCode}: {body}");
        return long.Parse(body, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Http.Dispose();
        // SIGTERM: a clean stop (the server removes its subscriber counts from Redis, say).
        if (!_process.HasExited && await LocalTools.SignalAsync(_process.Id, "-TERM"))
        {
            try
            {
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
    }

    /// <summary>The <c>dotnet</c> that runs this test run (the SDK sets <c>DOTNET_HOST_PATH</c> for its children).</summary>
    internal static string Dotnet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
}
