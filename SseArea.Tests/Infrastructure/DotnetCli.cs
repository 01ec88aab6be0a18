using System.Diagnostics;

namespace SseArea.Tests.Infrastructure;

/// <summary>Runs the <c>dotnet</c> CLI of this test run (publish, pack, new, build) as a separate build would.</summary>
internal static class DotnetCli
{
    /// <summary>Runs <c>dotnet</c> with <paramref name="arguments"/> in <paramref name="directory"/>; its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo(TestSiteProcess.Dotnet())
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The test run's own MSBuild settings must not leak into a separate build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
