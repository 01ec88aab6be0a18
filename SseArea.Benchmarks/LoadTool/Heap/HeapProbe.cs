using System.Diagnostics;
using System.Text.Json;

namespace SseArea.LoadTool.Heap;

/// <summary>
/// <c>--heap true</c>: the servers' reachable managed bytes, each read by the tool's own <c>heap PID --json</c> in a
/// process of its own. Not in this process: the servers are its children, and .NET's child-process reaper
/// (<c>waitpid</c> on SIGCHLD) would take the ptrace stops ClrMD waits for, which hangs the attach; a process of
/// its own also keeps ClrMD's memory and CPU out of the load tool's measurements.
/// </summary>
internal static class HeapProbe
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    /// <summary>The processes' figures added up, or the first failure (which process and why) as the error.</summary>
    public static async Task<HeapMeasure> MeasureAsync(IReadOnlyList<int> pids, CancellationToken cancellationToken)
    {
        long bytes = 0, objects = 0;
        double seconds = 0;
        HeapMeasure? last = null;
        foreach (var pid in pids)
        {
            last = await MeasureOneAsync(pid, cancellationToken);
            seconds += last.Seconds;
            if (last.Error is not null)
            {
                return last with { Seconds = Math.Round(seconds, 2) };
            }

            bytes += last.Bytes ?? 0;
            objects += last.Objects ?? 0;
        }

        return new(bytes, objects, last?.ServerGc, last?.GcHeaps, Math.Round(seconds, 2), last is null ? "no server process" : null);
    }

    private static async Task<HeapMeasure> MeasureOneAsync(int pid, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        // The tool's own apphost when it runs as one; otherwise (dotnet SseArea.LoadTool.dll, a test host) dotnet and the dll.
        var self = typeof(HeapProbe).Assembly.Location;
        var running = Environment.ProcessPath is { } path ? Path.GetFileNameWithoutExtension(path) : null;
        var apphost = running == Path.GetFileNameWithoutExtension(self);
        var info = new ProcessStartInfo(apphost || running == "dotnet" ? Environment.ProcessPath! : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (!apphost)
        {
            info.ArgumentList.Add(self);
        }

        foreach (var argument in new[] { "heap", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--json" })
        {
            info.ArgumentList.Add(argument);
        }

        using var probe = Process.Start(info) ?? throw new InvalidOperationException("could not start the heap probe");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            var output = probe.StandardOutput.ReadToEndAsync(timeout.Token);
            var errors = probe.StandardError.ReadToEndAsync(timeout.Token);
            await probe.WaitForExitAsync(timeout.Token);
            var line = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault(l => l.StartsWith('{'));
            return line is not null && JsonSerializer.Deserialize<HeapMeasure>(line, SummaryJson.Options) is { } measure
                ? measure
                : Failed($"the heap probe gave no figure (exit {probe.ExitCode}): {(await errors).Trim()}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            probe.Kill();
            return Failed($"the heap probe did not finish within {Timeout.TotalMinutes} minutes");
        }
        finally
        {
            if (!probe.HasExited)
            {
                probe.Kill();
            }
        }

        HeapMeasure Failed(string reason) =>
            new(null, null, null, null, Math.Round(Stopwatch.GetElapsedTime(start).TotalSeconds, 2), $"pid {pid}: {reason}");
    }
}
