using System.Globalization;

namespace SseArea.LoadTool.Charts;

/// <summary>
/// One axis of a chart: a range that holds the data, rounded out to "nice" tick values (1, 2, 2.5, 5 × 10^k on a
/// linear axis, 1, 2, 5 × 10^k on a logarithmic one), the ticks, and the mapping from a value to a pixel.
/// </summary>
internal sealed class ChartAxis
{
    private ChartAxis(double min, double max, bool log, IReadOnlyList<double> ticks, IReadOnlyList<string>? labels = null)
    {
        Min = min;
        Max = max;
        Log = log;
        Ticks = ticks;
        _labels = labels;
    }

    private readonly IReadOnlyList<string>? _labels;

    public double Min { get; }

    public double Max { get; }

    public bool Log { get; }

    public IReadOnlyList<double> Ticks { get; }

    /// <summary>
    /// An axis holding <paramref name="values"/>, from <paramref name="from"/> when given (0 for counts) and up to
    /// <paramref name="to"/> when given (100 for percentiles); logarithmic axes keep positive values only.
    /// </summary>
    public static ChartAxis For(IEnumerable<double> values, bool log = false, double? from = null, double? to = null)
    {
        var data = values.Where(v => double.IsFinite(v) && (!log || v > 0)).ToList();
        var low = from ?? (data.Count == 0 ? 0 : data.Min());
        var high = to ?? (data.Count == 0 ? 1 : data.Max());
        if (log)
        {
            low = data.Count == 0 ? 1 : Math.Min(low > 0 ? low : data.Min(), data.Min());
            high = Math.Max(high, low * 1.01);
            var logTicks = LogSteps(low, high);
            return new ChartAxis(logTicks[0], logTicks[^1], log: true, logTicks);
        }

        if (high <= low)
        {
            high = low == 0 ? 1 : low + Math.Abs(low * 0.1);
        }

        var step = NiceStep((high - low) / 5);
        var first = Math.Floor((low / step) + 1e-9) * step;
        var last = Math.Ceiling((high / step) - 1e-9) * step;
        var ticks = Enumerable.Range(0, (int)Math.Round((last - first) / step) + 1).Select(i => Math.Round(first + (i * step), 10)).ToList();
        return new ChartAxis(first, last, log: false, ticks);
    }

    /// <summary>A linear axis with the given ticks and labels, from the first tick to the last (a scale of the caller's own).</summary>
    public static ChartAxis Fixed(IReadOnlyList<(double Value, string Label)> ticks) =>
        new(ticks[0].Value, ticks[^1].Value, log: false, [.. ticks.Select(t => t.Value)], [.. ticks.Select(t => t.Label)]);

    /// <summary>The label of tick <paramref name="index"/>: the given one, or the value's.</summary>
    public string LabelOf(int index) => _labels?[index] ?? Label(Ticks[index]);

    /// <summary>Where <paramref name="value"/> falls between the pixels <paramref name="start"/> (Min) and <paramref name="end"/> (Max).</summary>
    public double Map(double value, double start, double end)
    {
        var fraction = Log
            ? (Math.Log10(Math.Max(value, Min)) - Math.Log10(Min)) / (Math.Log10(Max) - Math.Log10(Min))
            : (value - Min) / (Max - Min);
        return start + (fraction * (end - start));
    }

    /// <summary>A tick label: 0.5, 12, 2.5k, 1.2M.</summary>
    public static string Label(double value) => Math.Abs(value) switch
    {
        >= 1e6 => (value / 1e6).ToString("0.##", CultureInfo.InvariantCulture) + "M",
        >= 1e3 => (value / 1e3).ToString("0.##", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static double NiceStep(double rough)
    {
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        return new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * power).First(s => s >= rough * 0.999);
    }

    /// <summary>The 1-2-5 values from the largest at or below <paramref name="low"/> to the smallest at or above <paramref name="high"/>.</summary>
    private static List<double> LogSteps(double low, double high)
    {
        var steps = new List<double>();
        for (var power = Math.Floor(Math.Log10(low)); steps.Count == 0 || steps[^1] < high; power++)
        {
            foreach (var m in new[] { 1.0, 2, 5 })
            {
                var value = m * Math.Pow(10, power);
                if (value <= low * (1 + 1e-9))
                {
                    steps.Clear();
                }

                if (steps.Count == 0 || steps[^1] < high)
                {
                    steps.Add(Math.Round(value, 12));
                }
            }
        }

        return steps;
    }
}
