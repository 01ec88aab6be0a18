using System.Globalization;
using System.Xml.Linq;

namespace SseArea.LoadTool.Charts;

/// <summary>One line of a chart: its name in the legend, its points, its colour, solid or dashed.</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Color, bool Dashed = false);

/// <summary>
/// A line chart as a small, self-contained SVG: title and subtitle, both axes with ticks, grid lines and labels,
/// one polyline with point markers per series, a legend on the right. Built with <see cref="XElement"/>, so the
/// text is escaped and the file is well-formed XML. The axes carry their ranges as <c>data-min</c>/<c>data-max</c>.
/// </summary>
internal sealed class SvgChart(string title, string subtitle, string xLabel, string yLabel)
{
    private const double Width = 780, Height = 470, Left = 78, Right = 580, Top = 72, Bottom = 400;
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    public bool LogX { get; init; }

    /// <summary>Ticks and labels of an x scale of the caller's own (the data transformed to it); none: from the data.</summary>
    public IReadOnlyList<(double Value, string Label)>? XTicks { get; init; }

    /// <summary>Where the y axis starts (0 for counts and sizes) and ends (100 for percentiles); none: the data's.</summary>
    public double? YFrom { get; init; } = 0;

    public double? YTo { get; init; }

    public List<ChartSeries> Series { get; } = [];

    public XDocument Render()
    {
        var x = XTicks is { Count: > 1 } ticks ? ChartAxis.Fixed(ticks) : ChartAxis.For(Series.SelectMany(s => s.Points.Select(p => p.X)), LogX);
        var y = ChartAxis.For(Series.SelectMany(s => s.Points.Select(p => p.Y)), from: YFrom, to: YTo);
        var svg = new XElement(Svg + "svg",
            new XAttribute("width", Width), new XAttribute("height", Height), new XAttribute("viewBox", $"0 0 {Width} {Height}"),
            new XAttribute("font-family", "DejaVu Sans, Arial, sans-serif"), new XAttribute("font-size", 12),
            new XElement(Svg + "rect", new XAttribute("width", Width), new XAttribute("height", Height), new XAttribute("fill", "white")),
            Text(Left, 26, title, new XAttribute("font-size", 16), new XAttribute("font-weight", "bold")),
            Text(Left, 46, subtitle, new XAttribute("fill", "#555")),
            XAxis(x),
            YAxis(y),
            new XElement(Svg + "rect", new XAttribute("x", Left), new XAttribute("y", Top), new XAttribute("width", Right - Left),
                new XAttribute("height", Bottom - Top), new XAttribute("fill", "none"), new XAttribute("stroke", "#333")),
            Series.Select(s => Line(s, x, y)),
            Legend());
        return new XDocument(svg);
    }

    private XElement XAxis(ChartAxis x) => new(Svg + "g",
        new XAttribute("class", "x-axis"), Range(x),
        x.Ticks.Select((t, i) => Tick(x.Map(t, Left, Right), Bottom, vertical: true, x.LabelOf(i))),
        Text((Left + Right) / 2, Bottom + 42, xLabel, new XAttribute("text-anchor", "middle")));

    private XElement YAxis(ChartAxis y) => new(Svg + "g",
        new XAttribute("class", "y-axis"), Range(y),
        y.Ticks.Select((t, i) => Tick(Left, y.Map(t, Bottom, Top), vertical: false, y.LabelOf(i))),
        Text(18, (Top + Bottom) / 2, yLabel, new XAttribute("text-anchor", "middle"),
            new XAttribute("transform", Invariant($"rotate(-90 18 {(Top + Bottom) / 2})"))));

    /// <summary>A grid line across the plot at a tick, and the tick's label outside it.</summary>
    private static XElement Tick(double px, double py, bool vertical, string label) => new(Svg + "g",
        new XElement(Svg + "line",
            new XAttribute("x1", px), new XAttribute("y1", vertical ? Top : py),
            new XAttribute("x2", vertical ? px : Right), new XAttribute("y2", vertical ? Bottom : py),
            new XAttribute("stroke", "#ddd")),
        vertical
            ? Text(px, Bottom + 18, label, new XAttribute("text-anchor", "middle"))
            : Text(Left - 8, py + 4, label, new XAttribute("text-anchor", "end")));

    private static XElement Line(ChartSeries series, ChartAxis x, ChartAxis y)
    {
        var points = series.Points.OrderBy(p => p.X).Select(p => (X: x.Map(p.X, Left, Right), Y: y.Map(p.Y, Bottom, Top))).ToList();
        return new XElement(Svg + "g",
            new XElement(Svg + "polyline",
                new XAttribute("class", "series"), new XAttribute("data-series", series.Name),
                new XAttribute("points", string.Join(' ', points.Select(p => Invariant($"{p.X:0.#},{p.Y:0.#}")))),
                new XAttribute("fill", "none"), new XAttribute("stroke", series.Color), new XAttribute("stroke-width", 2),
                series.Dashed ? new XAttribute("stroke-dasharray", "6 4") : null),
            points.Select(p => new XElement(Svg + "circle",
                new XAttribute("cx", Math.Round(p.X, 1)), new XAttribute("cy", Math.Round(p.Y, 1)), new XAttribute("r", 3),
                new XAttribute("fill", series.Dashed ? "white" : series.Color), new XAttribute("stroke", series.Color))));
    }

    private XElement Legend() => new(Svg + "g",
        new XAttribute("class", "legend"),
        Series.Select((s, i) => new XElement(Svg + "g",
            new XElement(Svg + "line",
                new XAttribute("x1", Right + 16), new XAttribute("y1", Top + 8 + (i * 20)),
                new XAttribute("x2", Right + 40), new XAttribute("y2", Top + 8 + (i * 20)),
                new XAttribute("stroke", s.Color), new XAttribute("stroke-width", 2),
                s.Dashed ? new XAttribute("stroke-dasharray", "6 4") : null),
            Text(Right + 46, Top + 12 + (i * 20), s.Name))));

    private static XAttribute[] Range(ChartAxis axis) =>
        [new("data-min", axis.Min.ToString("R", CultureInfo.InvariantCulture)), new("data-max", axis.Max.ToString("R", CultureInfo.InvariantCulture)),
            new("data-scale", axis.Log ? "log" : "linear")];

    private static XElement Text(double x, double y, string text, params object[] attributes) =>
        new(Svg + "text", new XAttribute("x", Math.Round(x, 1)), new XAttribute("y", Math.Round(y, 1)), attributes, text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
