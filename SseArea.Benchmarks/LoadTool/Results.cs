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
    int OpenAtEnd,
    int Round = 1,
    HeapResult? Heap = null,
    IReadOnlyDictionary<string, string>? ServerEnvironment = null,
    IReadOnlyDictionary<string, string>? RuntimeConfig = null,
    double? LoadAverage = null);

/// <summary>
/// Managed bytes reachable from the roots of the server processes (summed; ClrMD), with no connection open and
/// after the ramp; per connection: the difference over the connections opened. Null values and
/// <see cref="Error"/> when attaching or walking failed. <see cref="ServerGc"/> and <see cref="GcHeaps"/> are the
/// GC the server really runs with.
/// </summary>
internal sealed record HeapResult(
    long? BytesBefore,
    long? BytesAfter,
    double? BytesPerConnection,
    long? ObjectsAfter,
    bool? ServerGc,
    int? GcHeaps,
    double Seconds,
    string? Error);

/// <summary>
/// Events published in one phase and what the clients got; the CPU the servers and the load tool itself used in the
/// phase (from its first publish until every event arrived), in microseconds per delivered event.
/// </summary>
internal sealed record PhaseResult(
    int Events,
    double PublishedPerSecond,
    long Expected,
    long Delivered,
    double LossPercent,
    double Seconds,
    double DeliveredPerSecond,
    LatencyResult Latency,
    double? ServerCpuUsPerEvent = null,
    double? ToolCpuUsPerEvent = null);

/// <summary>
/// Publish→receive latency in milliseconds (histogram buckets: within 1.6 %; max exact), and the distribution as
/// the value at each of <see cref="CdfPercentiles"/> (a CDF to draw).
/// </summary>
internal sealed record LatencyResult(long Samples, double P50Ms, double P95Ms, double P99Ms, double MaxMs, IReadOnlyList<CdfPoint>? Cdf = null)
{
    /// <summary>Percentiles of the CDF: evenly spaced up to 90, then closer towards the tail.</summary>
    public static readonly IReadOnlyList<double> CdfPercentiles = [0, 1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97, 98, 99, 99.5, 99.9, 99.99, 100];

    public static LatencyResult From(LatencyHistogram microseconds) => new(
        microseconds.Count,
        microseconds.ValueAtPercentile(50) / 1000.0,
        microseconds.ValueAtPercentile(95) / 1000.0,
        microseconds.ValueAtPercentile(99) / 1000.0,
        microseconds.Max / 1000.0,
        microseconds.Count == 0 ? null : [.. CdfPercentiles.Select(p => new CdfPoint(p, microseconds.ValueAtPercentile(p) / 1000.0))]);
}

/// <summary>One point of a latency CDF: <see cref="P"/> % of the events arrived within <see cref="Ms"/> milliseconds.</summary>
internal sealed record CdfPoint(double P, double Ms);

/// <summary>
/// <see cref="Target"/>'s medians divided by <see cref="Against"/>'s (over rounds, at one N): throughput and latency
/// targets read ≥ 0.9 and ≤ 1.2. Target and against are left out of the summary's older three fields.
/// </summary>
internal sealed record Ratios(
    double? BurstDeliveredPerSecond,
    double? PacedP99,
    double? RssPerConnection,
    double? OpenSeconds,
    double? PacedP50 = null,
    double? ManagedPerConnection = null,
    string? Target = null,
    string? Against = null);

/// <summary>One target at one N, the medians over its rounds: what the charts draw (the CDF point by point).</summary>
internal sealed record TargetMedians(
    string Target,
    int Connections,
    int Rounds,
    double? OpenSeconds,
    double? RssPerConnectionKiB,
    double? ManagedBytesPerConnection,
    double? BurstDeliveredPerSecond,
    double? PacedP50Ms,
    double? PacedP99Ms,
    IReadOnlyList<CdfPoint>? PacedCdf,
    double? LoadAverage);

/// <summary>The ratios at one N: every target over the baseline and over nchan, those that ran.</summary>
internal sealed record ConnectionRatios(int Connections, IReadOnlyList<Ratios> Ratios);

/// <summary>What the command was asked to do, for the charts' titles and to make the summary self-describing.</summary>
internal sealed record Parameters(
    DateTimeOffset Started,
    IReadOnlyList<string> Targets,
    int Events,
    double Rate,
    int Burst,
    int Padding,
    int Rounds,
    int Servers,
    double SettleSeconds,
    bool Heap,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Environment);

/// <summary>
/// The JSON summary: the machine, every run, and the ratios of the targets that ran (medians over rounds):
/// SampleSite over the baseline and over nchan, and, with <c>--before</c>, the earlier SampleSite build over the
/// baseline — those three at the first N (<see cref="Connections"/>); every N's in <see cref="RatiosByConnections"/>.
/// <see cref="Incomplete"/> says why the command stopped early (then the runs are those done).
/// </summary>
internal sealed record Summary(
    string Command,
    int Connections,
    Machine Machine,
    IReadOnlyList<RunResult> Runs,
    Ratios? SampleOverBaseline,
    Ratios? BeforeOverBaseline,
    Ratios? SampleOverNchan = null,
    IReadOnlyList<int>? ConnectionCounts = null,
    Parameters? Parameters = null,
    IReadOnlyList<TargetMedians>? Medians = null,
    IReadOnlyList<ConnectionRatios>? RatiosByConnections = null,
    string? Incomplete = null);

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
