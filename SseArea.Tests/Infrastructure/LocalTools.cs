using System.Diagnostics;
using System.Globalization;

namespace SseArea.Tests.Infrastructure;

/// <summary>Programs the tests start themselves (<c>redis-server</c>, <c>redis-cli</c>), found and signalled in one place.</summary>
internal static class LocalTools
{
    /// <summary>The full path of <paramref name="name"/> on PATH (or in /usr/bin, /usr/sbin), or <see langword="null"/>.</summary>
    public static string? Find(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Append("/usr/bin").Append("/usr/sbin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// Ends the test when something it needs is missing: a failure under CI (<c>CI=true</c>), where
    /// everything must run, a skip elsewhere.
    /// </summary>
    public static void Unavailable(string why)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(why);
        }

        Assert.Ignore(why);
    }

    /// <summary>
    /// Sends <paramref name="signal"/> (<c>-TERM</c>, <c>-STOP</c>, ...) to the process <paramref name="pid"/>
    /// with the shell's own kill (no procps needed). False when kill failed (no such process).
    /// </summary>
    public static async Task<bool> SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("/bin/sh")
        {
            ArgumentList = { "-c", $"kill {signal} {pid.ToString(CultureInfo.InvariantCulture)}" },
            UseShellExecute = false,
        })!;
        await kill.WaitForExitAsync();
        return kill.ExitCode == 0;
    }
}
