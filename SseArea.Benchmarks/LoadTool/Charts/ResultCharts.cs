using System.Globalization;

namespace SseArea.LoadTool.Charts;

/// <summary>
/// The charts of one or more summaries (their runs together, medians per target and N over the rounds):
/// <c>throughput.svg</c> (burst delivered events/s vs N), <c>idle-memory.svg</c> (RSS per idle connection vs N,
/// solid; reachable managed bytes per connection, dashed, where measured), <c>latency-cdf-N{N}.svg</c> (the
/// paced phase's latency CDF at each N, point by point medians over the rounds) and <c>latency-tail-N{N}.svg</c>
/// (the same values with the percentiles on x, the tail stretched, latency on y). One line per target.
/// </summary>
internal static class ResultCharts
{
    /// <summary>Colours of the usual targets, so that a target looks the same in every chart and every run.</summary>
    private static readonly Dictionary<string, string> Known = new(StringComparer.Ordinal)
    {
        ["sample"] = "#1f77b4",
        ["baseline"] = "#ff7f0e",
        ["nchan"] = "#2ca02c",
        ["before"] = "#7f7f7f",
        ["given"] = "#1f77b4",
    };

    private static readonly string[] Others = ["#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];

    /// <summary>Writes the charts into <paramref name="directory"/> (made if missing) and gives their paths.</summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<Summary> summaries, string directory)
    {
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        foreach (var (name, chart) in Build(summaries))
        {
            var path = Path.Combine(directory, name);
            chart.Render().Save(path);
            files.Add(path);
        }

        return files;
    }

    /// <summary>The charts there is data for, by file name.</summary>
    public static IEnumerable<(string File, SvgChart Chart)> Build(IReadOnlyList<Summary> summaries)
    {
        var medians = Summaries.Medians(summaries.SelectMany(s => s.Runs));
        var colors = Colors(medians.Select(m => m.Target).Distinct());
        var about = About(summaries);
        var targets = medians.GroupBy(m => m.Target).ToList();

        var throughput = new SvgChart($"Burst fan-out vs connections, {about.Date}", about.Burst, "connections (N)", "delivered events/s (median)");
        throughput.Series.AddRange(targets.Select(t => Series(t.Key, t, m => m.BurstDeliveredPerSecond, colors[t.Key])).OfType<ChartSeries>());
        if (throughput.Series.Count > 0)
        {
            yield return ("throughput.svg", throughput);
        }

        var memory = new SvgChart($"Idle memory per connection vs connections, {about.Date}", about.Idle, "connections (N)", "KiB per idle connection (median)");
        memory.Series.AddRange(targets.SelectMany(t => new[]
        {
            Series($"{t.Key} RSS", t, m => m.RssPerConnectionKiB, colors[t.Key]),
            Series($"{t.Key} managed", t, m => m.ManagedBytesPerConnection / 1024, colors[t.Key], dashed: true),
        }).OfType<ChartSeries>());
        if (memory.Series.Count > 0)
        {
            yield return ("idle-memory.svg", memory);
        }

        foreach (var n in medians.Where(m => m.PacedCdf is not null).Select(m => m.Connections).Distinct().Order())
        {
            var cdf = new SvgChart(
                Invariant($"Latency CDF, paced phase, N = {n:N0}, {about.Date}"), about.Paced, "publish → receive latency, ms (log scale)", "percentile (%)")
            {
                LogX = true,
                YTo = 100,
            };
            cdf.Series.AddRange(medians.Where(m => m.Connections == n && m.PacedCdf is not null)
                .Select(m => new ChartSeries(m.Target, [.. m.PacedCdf!.Select(p => (Math.Max(p.Ms, 0.001), p.P))], colors[m.Target])));
            yield return (Invariant($"latency-cdf-N{n}.svg"), cdf);

            var tail = new SvgChart(
                Invariant($"Latency by percentile, paced phase, N = {n:N0}, {about.Date}"), about.Paced, "percentile (%), the tail stretched", "publish → receive latency, ms")
            {
                XTicks = [(0, "0"), (Nines(50), "50"), (Nines(90), "90"), (Nines(99), "99"), (Nines(99.9), "99.9"), (Nines(99.99), "99.99"), (Nines(100), "max")],
            };
            tail.Series.AddRange(cdf.Series.Select(s => s with { Points = [.. s.Points.Select(p => (Nines(p.Y), p.X))] }));
            yield return (Invariant($"latency-tail-N{n}.svg"), tail);
        }
    }

    /// <summary>
    /// The x of a percentile on the tail scale: −log10(1 − p/100), so 90, 99, 99.9 and 99.99 are evenly spaced;
    /// the maximum (100) half a step past 99.99.
    /// </summary>
    public static double Nines(double percentile) => percentile >= 100 ? 4.5 : Math.Min(4, -Math.Log10(1 - (percentile / 100)));

    private static ChartSeries? Series(string name, IEnumerable<TargetMedians> medians, Func<TargetMedians, double?> value, string color, bool dashed = false)
    {
        var points = medians.Where(m => value(m) is not null).Select(m => ((double)m.Connections, value(m)!.Value)).ToList();
        return points.Count == 0 ? null : new ChartSeries(name, points, color, dashed);
    }

    private static Dictionary<string, string> Colors(IEnumerable<string> targets)
    {
        var colors = new Dictionary<string, string>(StringComparer.Ordinal);
        var next = 0;
        foreach (var target in targets)
        {
            colors[target] = Known.TryGetValue(target, out var known) && !colors.ContainsValue(known) ? known : Others[next++ % Others.Length];
        }

        return colors;
    }

    /// <summary>The date and the parameters that made the figures, for the titles (each distinct setting once).</summary>
    private static (string Date, string Burst, string Idle, string Paced) About(IReadOnlyList<Summary> summaries)
    {
        var p = summaries.Select(s => s.Parameters).OfType<Parameters>().ToList();
        var date = p.Count == 0 ? "date not recorded" : string.Join(" / ", p.Select(x => x.Started.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture)).Distinct());
        var rounds = p.Count == 0 ? "" : Invariant($", medians of {string.Join('/', p.Select(x => x.Rounds).Distinct())} round(s)");
        var load = summaries.SelectMany(s => s.Runs).Select(r => r.LoadAverage).OfType<double>().ToList();
        var machine = summaries.Count == 0 ? "" : Invariant($", {summaries[0].Machine.Cores} cores")
            + (load.Count == 0 ? "" : Invariant($", load {load.Min():0.0}–{load.Max():0.0}"));
        string Each(Func<Parameters, string> text) => p.Count == 0 ? "parameters not recorded" : string.Join("; ", p.Select(text).Distinct());
        return (
            date,
            Each(x => Invariant($"burst of {x.Burst} events{Padding(x)}")) + rounds + machine,
            Each(x => Invariant($"RSS after the ramp and {x.SettleSeconds:0.#} s settle, minus before{(x.Heap ? "; managed: reachable bytes (ClrMD)" : "")}")) + rounds,
            Each(x => Invariant($"{x.Events} events at {x.Rate:0.##}/s{Padding(x)}")) + rounds + machine);

        static string Padding(Parameters x) => x.Padding > 0 ? Invariant($", {x.Padding} B padding") : "";
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
