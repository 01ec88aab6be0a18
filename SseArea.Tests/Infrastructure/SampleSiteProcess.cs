using System.Collections.Concurrent;
using System.Diagnostics;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// SampleSite as its own process (<c>dotnet SampleSite.dll</c>, the build this test run was made
/// from) on a free loopback port, configured by environment variables as in production.
/// </summary>
internal sealed class SampleSiteProcess : IAsyncDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log;
    private int _disposed;

    private SampleSiteProcess(Process process, ConcurrentQueue<string> log, Uri address)
    {
        _process = process;
        _log = log;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
    }

    public Uri Address { get; }

    /// <summary>A client of this process only.</summary>
    public HttpClient Http { get; }

    /// <summary>What the process wrote so far, for failure messages.</summary>
    public string Log => string.Join('\n', _log);

    /// <summary>
    /// Starts SampleSite: the build of this run, from the project folder, or the site published in
    /// <paramref name="publishedFolder"/>, from that folder.
    /// </summary>
    public static async Task<SampleSiteProcess> StartAsync(IReadOnlyDictionary<string, string> environment, string? publishedFolder = null)
    {
        var project = Path.Combine(Repository.Root(), "SampleSite");
        var folder = publishedFolder ?? project;
        var assembly = publishedFolder is null ? Path.Combine(project, "bin", Configuration, "net10.0", "SampleSite.dll") : "SampleSite.dll";
        var port = RedisTestServer.FreeLoopbackPort();
        var start = new ProcessStartInfo(Dotnet())
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[assembly, "--urls", $"http://127.0.0.1:{port}"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var key in (string[])["REDIS_URL", "SSE_REDIS_URL", "Sse__Redis__Url"])
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var log = new ConcurrentQueue<string>();
        var listening = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Watch(e.Data);
        process.ErrorDataReceived += (_, e) => Watch(e.Data);
        process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("SampleSite exited:\n" + string.Join('\n', log)));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var site = new SampleSiteProcess(process, log, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch
        {
            await site.DisposeAsync();
            throw;
        }

        return site;

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

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Http.Dispose();
        if (!_process.HasExited)
        {
            // SIGTERM: a clean stop, which removes the server's subscriber counts from Redis.
            using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync();
            }

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
    private static string Dotnet() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } path ? path : "dotnet";
}
