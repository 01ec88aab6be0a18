using System.Globalization;

namespace SseArea.LoadTool;

/// <summary>The summary of a command's runs: medians per target and N over the rounds, and ratios between targets.</summary>
internal static class Summaries
{
    public static Summary Create(LoadOptions options, Parameters parameters, IReadOnlyList<RunResult> runs, TextWriter log, string? incomplete = null)
    {
        var medians = Medians(runs);
        var byConnections = medians.Select(m => m.Connections).Distinct().Order()
            .Select(n => new ConnectionRatios(n, AllRatios(medians, n))).ToList();
        foreach (var ratios in byConnections.SelectMany(c => c.Ratios.Select(r => (c.Connections, Ratios: r))))
        {
            var r = ratios.Ratios;
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# N = {ratios.Connections}, {r.Target}/{r.Against}: burst delivered/s {F(r.BurstDeliveredPerSecond)}, paced p50 {F(r.PacedP50)} p99 {F(r.PacedP99)}, RSS per connection {F(r.RssPerConnection)}, managed per connection {F(r.ManagedPerConnection)}, open time {F(r.OpenSeconds)}"));
        }

        var first = options.Connections[0];
        var atFirst = byConnections.FirstOrDefault(c => c.Connections == first)?.Ratios ?? [];
        return new Summary(options.Command, first, Machine.Current(), runs,
            Legacy(atFirst, "sample", "baseline"), Legacy(atFirst, "before", "baseline"), Legacy(atFirst, "sample", "nchan"),
            options.Connections, parameters, medians, byConnections, incomplete);

        static string F(double? ratio) => ratio?.ToString("F3", CultureInfo.InvariantCulture) ?? "-";

        static Ratios? Legacy(IReadOnlyList<Ratios> ratios, string target, string against) =>
            ratios.FirstOrDefault(r => r.Target == target && r.Against == against) is { } r ? r with { Target = null, Against = null } : null;
    }

    /// <summary>One entry per target and N, in the order the targets first ran, then by N.</summary>
    public static IReadOnlyList<TargetMedians> Medians(IEnumerable<RunResult> runs) =>
        [.. runs.GroupBy(r => (r.Target, r.Requested))
            .Select(g => (g.Key, Runs: g.ToList()))
            .GroupBy(g => g.Key.Target).SelectMany(t => t.OrderBy(g => g.Key.Requested))
            .Select(g => new TargetMedians(
                g.Key.Target,
                g.Key.Requested,
                g.Runs.Count,
                Median(g.Runs.Select(r => (double?)r.OpenSeconds)),
                Median(g.Runs.Select(r => r.RssPerConnectionKiB)),
                Median(g.Runs.Select(r => r.Heap?.BytesPerConnection)),
                Median(g.Runs.Select(r => r.Burst?.DeliveredPerSecond)),
                Median(g.Runs.Select(r => r.Paced?.Latency.P50Ms)),
                Median(g.Runs.Select(r => r.Paced?.Latency.P99Ms)),
                MedianCdf(g.Runs.Select(r => r.Paced?.Latency.Cdf)),
                Median(g.Runs.Select(r => r.LoadAverage))))];

    /// <summary>The median of the values that are there; null when none is.</summary>
    public static double? Median(IEnumerable<double?> values)
    {
        var sorted = values.OfType<double>().Order().ToArray();
        return sorted.Length == 0 ? null : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>Point by point: at each percentile the median latency over the rounds that have a CDF.</summary>
    public static IReadOnlyList<CdfPoint>? MedianCdf(IEnumerable<IReadOnlyList<CdfPoint>?> cdfs)
    {
        var all = cdfs.OfType<IReadOnlyList<CdfPoint>>().Where(c => c.Count > 0).ToList();
        return all.Count == 0
            ? null
            : [.. all[0].Select(p => p.P).Select(p => new CdfPoint(p, Median(all.Select(c => c.FirstOrDefault(q => q.P == p)?.Ms))!.Value))];
    }

    private static List<Ratios> AllRatios(IReadOnlyList<TargetMedians> medians, int connections)
    {
        var atN = medians.Where(m => m.Connections == connections).ToList();
        return [.. from against in atN.Where(m => m.Target is "baseline" or "nchan")
                   from target in atN.Where(m => m.Target != against.Target)
                   select new Ratios(
                       Ratio(target.BurstDeliveredPerSecond, against.BurstDeliveredPerSecond),
                       Ratio(target.PacedP99Ms, against.PacedP99Ms),
                       Ratio(target.RssPerConnectionKiB, against.RssPerConnectionKiB),
                       Ratio(target.OpenSeconds, against.OpenSeconds),
                       Ratio(target.PacedP50Ms, against.PacedP50Ms),
                       Ratio(target.ManagedBytesPerConnection, against.ManagedBytesPerConnection),
                       target.Target,
                       against.Target)];

        static double? Ratio(double? ours, double? theirs) => ours is { } x && theirs is { } y && y != 0 ? Math.Round(x / y, 3) : null;
    }
}
