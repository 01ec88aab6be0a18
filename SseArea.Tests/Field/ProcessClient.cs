using System.Diagnostics;
using System.Text.Json;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Field;

/// <summary>
/// A real SSE client in a process of its own: npm's <c>eventsource</c> or <c>@microsoft/fetch-event-source</c> under
/// node (<c>Field/clients/client.mjs</c>, the versions pinned in its package-lock), or Python's <c>requests</c>
/// (<c>Field/clients/client.py</c>, Debian's python3-requests).
/// </summary>
internal sealed class ProcessClient : FieldClient
{
    private readonly Process _process;

    private ProcessClient(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text)
            {
                Report(JsonDocument.Parse(text).RootElement.Clone());
            }
        };
        _process.BeginOutputReadLine();
    }

    /// <summary>Starts <paramref name="client"/> on <paramref name="url"/>; the test is ignored (failed under CI) without its runtime or packages.</summary>
    public static new ProcessClient Start(string client, string url)
    {
        var folder = Path.Combine(Repository.Root(), "SseArea.Tests", "Field", "clients");
        ProcessStartInfo start;
        if (client == "python-requests")
        {
            if (Python() is not { } python)
            {
                LocalTools.Unavailable("A python3 with requests is needed (eng/test.sh installs python3-requests).");
                throw new InvalidOperationException("unreachable");
            }

            start = new ProcessStartInfo(python) { ArgumentList = { Path.Combine(folder, "client.py"), url } };
        }
        else
        {
            if (LocalTools.Find("node") is not { } node || !Directory.Exists(Path.Combine(folder, "node_modules")))
            {
                LocalTools.Unavailable($"node and the npm clients are needed (eng/test.sh installs them: npm ci --prefix {folder}).");
                throw new InvalidOperationException("unreachable");
            }

            start = new ProcessStartInfo(node) { ArgumentList = { Path.Combine(folder, "client.mjs"), client, url } };
        }

        start.WorkingDirectory = folder;
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        return new ProcessClient(Process.Start(start)!);
    }

    public override async ValueTask DisposeAsync()
    {
        _process.StandardInput.Close(); // the scripts end when their stdin does
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    /// <summary>Debian's python3 when it has requests (as eng/test.sh installs it), else the one on PATH if it does.</summary>
    private static string? Python()
        => new[] { "/usr/bin/python3", LocalTools.Find("python3") }.OfType<string>().Distinct().FirstOrDefault(HasRequests);

    private static bool HasRequests(string python)
    {
        if (!File.Exists(python))
        {
            return false;
        }

        using var check = Process.Start(new ProcessStartInfo(python) { ArgumentList = { "-c", "import requests" }, UseShellExecute = false, RedirectStandardError = true })!;
        check.WaitForExit();
        return check.ExitCode == 0;
    }
}
