namespace SseArea.LoadTool;

/// <summary>One load run against one server.</summary>
internal sealed record RunResult(
    string Target,
    IReadOnlyList<string> Urls,
    int ServerProcesses,
    int Requested,
    int Opened,
    int Failed,
    string? FirstFailure,
    int SourceAddresses,
    double OpenSeconds,
    long? RssBeforeKiB,
    long? RssAfterKiB,
    double? RssPerConnectionKiB,
    long? RedisConnectedClients,
    long? RedisClientsOfServer,
    PhaseResult? Paced,
    PhaseResult? Burst,
    int EndedByServer,
    string? FirstEndReason,
    double HoldSeconds,
    int OpenAtEnd);

/// <summary>Events published in one phase and what the clients got.</summary>
internal sealed record PhaseResult(
    int Events,
    double PublishedPerSecond,
    long Expected,
    long Delivered,
    double LossPercent,
    double Seconds,
    double DeliveredPerSecond,
    LatencyResult Latency);

/// <summary>Publish→receive latency in milliseconds (histogram buckets: within 1.6 %; max exact).</summary>
internal sealed record LatencyResult(long Samples, double P50Ms, double P95Ms, double P99Ms, double MaxMs)
{
    public static LatencyResult From(LatencyHistogram microseconds) => new(
        microseconds.Count,
        microseconds.ValueAtPercentile(50) / 1000.0,
        microseconds.ValueAtPercentile(95) / 1000.0,
        microseconds.ValueAtPercentile(99) / 1000.0,
        microseconds.Max / 1000.0);
}

/// <summary>Ours divided by the baseline's (medians over rounds): throughput and latency targets read ≥ 0.9 and ≤ 1.2.</summary>
internal sealed record Ratios(double? BurstDeliveredPerSecond, double? PacedP99, double? RssPerConnection, double? OpenSeconds);

/// <summary>
/// The JSON summary: the machine, every run, and the ratios of the targets that ran (medians over rounds):
/// SampleSite over the baseline, and, with <c>--before</c>, the earlier SampleSite build over the baseline.
/// </summary>
internal sealed record Summary(string Command, int Connections, Machine Machine, IReadOnlyList<RunResult> Runs, Ratios? SampleOverBaseline, Ratios? BeforeOverBaseline, Ratios? SampleOverNchan = null);

/// <summary>Where the numbers come from (load tool, servers and Redis all share these cores).</summary>
internal sealed record Machine(int Cores, string? Cpu, string Os, string Runtime, long? MemoryMiB, string? OpenFilesSoftLimit)
{
    public static Machine Current() => new(
        Environment.ProcessorCount,
        FirstValue("/proc/cpuinfo", "model name"),
        System.Runtime.InteropServices.RuntimeInformation.OSDescription,
        System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
        FirstValue("/proc/meminfo", "MemTotal") is { } kib && long.TryParse(kib.Split(' ')[0], out var k) ? k / 1024 : null,
        FirstValue("/proc/self/limits", "Max open files")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]);

    private static string? FirstValue(string file, string key)
    {
        try
        {
            var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            return line?[key.Length..].Trim(' ', '\t', ':');
        }
        catch (IOException)
        {
            return null;
        }
    }
}
