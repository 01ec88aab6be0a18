using System.Globalization;

namespace SseArea.LoadTool;

/// <summary>Reading numbers the kernel and Redis report as text.</summary>
internal static class ProcessFacts
{
    /// <summary>The <c>VmRSS</c> line of a <c>/proc/&lt;pid&gt;/status</c> text, in KiB.</summary>
    public static long? ParseVmRssKiB(string status) => ParseField(status, "VmRSS:");

    /// <summary>A <c>name:value</c> field of Redis <c>INFO</c> text, e.g. <c>connected_clients</c>.</summary>
    public static long? ParseRedisInfo(string info, string field) => ParseField(info, field + ":");

    /// <summary>The resident set size of a process, in KiB; <see langword="null"/> when it is gone.</summary>
    public static long? ReadVmRssKiB(int pid)
    {
        try
        {
            return ParseVmRssKiB(File.ReadAllText($"/proc/{pid}/status"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// CPU time a process has used, user and system (<c>utime</c> + <c>stime</c>, fields 14 and 15 of a
    /// <c>/proc/&lt;pid&gt;/stat</c> text), in clock ticks of 10 ms (Linux reports them in USER_HZ, 100 per second).
    /// The name in parentheses may hold spaces and parentheses itself: fields are counted after its last ')'.
    /// </summary>
    public static long? ParseCpuTicks(string stat)
    {
        var end = stat.LastIndexOf(')');
        var fields = end < 0 ? [] : stat[(end + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 12
            && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
            && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
            ? user + system
            : null;
    }

    /// <summary>The CPU time a process has used, in ticks of 10 ms (<see cref="ParseCpuTicks"/>); <see langword="null"/> when it is gone.</summary>
    public static long? ReadCpuTicks(int pid)
    {
        try
        {
            return ParseCpuTicks(File.ReadAllText($"/proc/{pid}/stat"));
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>The 1-minute load average (<c>/proc/loadavg</c>), to put next to the figures measured.</summary>
    public static double? ReadLoadAverage()
    {
        try
        {
            return double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static long? ParseField(string text, string prefix)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                var value = line.AsSpan(prefix.Length).Trim();
                var space = value.IndexOf(' ');
                if (space >= 0)
                {
                    value = value[..space]; // "12345 kB"
                }

                return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? number : null;
            }
        }

        return null;
    }
}
