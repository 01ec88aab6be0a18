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
