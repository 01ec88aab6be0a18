using System.Globalization;
using System.Xml.Linq;
using SseArea.LoadTool;
using SseArea.LoadTool.Charts;

namespace SseArea.Tests.Unit.LoadTool;

/// <summary>The SVG charts' essentials: well-formed XML, one line per target, axes that hold the data; not pixels.</summary>
public sealed class LoadToolChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Test]
    public void Build_ThreeTargetsAtTwoN_GivesThroughputMemoryAndACdfPerN()
    {
        var charts = Charts().ToDictionary(c => c.File, c => Parse(c.Chart));

        Assert.Multiple(() =>
        {
            Assert.That(charts.Keys, Is.EqualTo(new[] { "throughput.svg", "idle-memory.svg", "latency-cdf-N1000.svg", "latency-tail-N1000.svg", "latency-cdf-N5000.svg", "latency-tail-N5000.svg" }));
            Assert.That(Lines(charts["throughput.svg"]).Select(l => l.Name), Is.EqualTo(new[] { "sample", "baseline", "nchan" }));
            Assert.That(Lines(charts["throughput.svg"]).Select(l => l.Points), Has.All.EqualTo(2), "one point per N");
            Assert.That(Lines(charts["idle-memory.svg"]).Select(l => (l.Name, l.Dashed)), Is.EqualTo(new[]
            {
                ("sample RSS", false), ("sample managed", true), ("baseline RSS", false), ("baseline managed", true), ("nchan RSS", false),
            }));
            Assert.That(Lines(charts["latency-cdf-N1000.svg"]).Select(l => l.Points), Has.All.EqualTo(LatencyResult.CdfPercentiles.Count));
            Assert.That(Text(charts["latency-cdf-N5000.svg"]), Does.Contain("N = 5,000").And.Contain("20 events at 20/s"), "the title says what was measured");
            Assert.That(Text(charts["throughput.svg"]), Does.Contain("burst of 100 events").And.Contain("UTC"));
            Assert.That(Lines(charts["latency-tail-N1000.svg"]).Select(l => l.Name), Is.EqualTo(new[] { "sample", "baseline", "nchan" }));
            Assert.That(Text(charts["latency-tail-N1000.svg"]), Does.Contain("\n99\n99.9\n99.99\nmax"), "the tail's percentiles as tick labels");
        });
    }

    [Test]
    public void Axes_OfEveryChart_HoldTheDataAndEveryPointIsInsideThePlot()
    {
        foreach (var (file, chart) in Charts())
        {
            var svg = Parse(chart);
            var (xs, ys) = (chart.Series.SelectMany(s => s.Points.Select(p => p.X)).ToList(), chart.Series.SelectMany(s => s.Points.Select(p => p.Y)).ToList());
            var (x, y) = (Axis(svg, "x-axis"), Axis(svg, "y-axis"));
            var frame = svg.Root!.Elements(Svg + "rect").Last();
            var (left, top) = (Number(frame, "x"), Number(frame, "y"));
            var (right, bottom) = (left + Number(frame, "width"), top + Number(frame, "height"));

            Assert.Multiple(() =>
            {
                Assert.That(x.Min, Is.LessThanOrEqualTo(xs.Min()), file);
                Assert.That(x.Max, Is.GreaterThanOrEqualTo(xs.Max()), file);
                Assert.That(y.Min, Is.LessThanOrEqualTo(ys.Min()), file);
                Assert.That(y.Max, Is.GreaterThanOrEqualTo(ys.Max()), file);
                Assert.That(x.Scale, Is.EqualTo(file.StartsWith("latency-cdf", StringComparison.Ordinal) ? "log" : "linear"), file);
                foreach (var circle in svg.Descendants(Svg + "circle"))
                {
                    Assert.That(Number(circle, "cx"), Is.InRange(left - 0.1, right + 0.1), file);
                    Assert.That(Number(circle, "cy"), Is.InRange(top - 0.1, bottom + 0.1), file);
                }
            });
        }
    }

    [Test]
    public void Write_IntoAFolder_SavesSvgFilesThatParse()
    {
        var folder = Directory.CreateTempSubdirectory("charts-test-").FullName;
        try
        {
            var files = ResultCharts.Write([Summary()], Path.Combine(folder, "new"));

            Assert.Multiple(() =>
            {
                Assert.That(files.Select(Path.GetFileName), Is.EqualTo(new[] { "throughput.svg", "idle-memory.svg", "latency-cdf-N1000.svg", "latency-tail-N1000.svg", "latency-cdf-N5000.svg", "latency-tail-N5000.svg" }));
                Assert.That(files.Select(f => XDocument.Load(f).Root!.Name), Has.All.EqualTo(Svg + "svg"));
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Title_WithMarkupCharacters_IsEscaped()
    {
        var chart = new SvgChart("a < b & \"c\"", "x > y", "x", "y");
        chart.Series.Add(new ChartSeries("sample+ws <1>", [(1, 2)], "#000"));

        var svg = XDocument.Parse(chart.Render().ToString());

        Assert.That(Text(svg), Does.Contain("a < b & \"c\"").And.Contain("sample+ws <1>"));
    }

    [TestCase(0.37, 28.4, new[] { 0.2, 0.5, 1, 2, 5, 10, 20, 50 })]
    [TestCase(5, 40, new[] { 5.0, 10, 20, 50 })]
    [TestCase(1, 1, new[] { 1.0, 2 })]
    public void LogAxis_TicksAreOneTwoFiveAroundTheData(double min, double max, double[] ticks) =>
        Assert.That(ChartAxis.For([min, max], log: true).Ticks, Is.EqualTo(ticks));

    [TestCase(0, 1_104_213, 0, 1_250_000)]
    [TestCase(0, 23.1, 0, 25)]
    [TestCase(3, 3, 0, 3)]
    public void LinearAxis_FromZero_EndsOnANiceTickAboveTheData(double low, double high, double first, double last)
    {
        var axis = ChartAxis.For([low, high], from: 0);

        Assert.Multiple(() =>
        {
            Assert.That((axis.Min, axis.Max), Is.EqualTo((first, last)));
            Assert.That(axis.Ticks, Has.Count.InRange(3, 11));
            Assert.That(axis.Ticks[0], Is.EqualTo(axis.Min));
            Assert.That(axis.Ticks[^1], Is.EqualTo(axis.Max));
        });
    }

    [TestCase(0, 0)]
    [TestCase(90, 1)]
    [TestCase(99, 2)]
    [TestCase(99.9, 3)]
    [TestCase(99.99, 4)]
    [TestCase(100, 4.5)]
    public void Nines_SpacesTheTailEvenly(double percentile, double x) =>
        Assert.That(ResultCharts.Nines(percentile), Is.EqualTo(x).Within(1e-9));

    [TestCase(1_250_000, "1.25M")]
    [TestCase(5000, "5k")]
    [TestCase(0.5, "0.5")]
    [TestCase(0, "0")]
    public void Label_ShortensThousandsAndMillions(double value, string label) =>
        Assert.That(ChartAxis.Label(value), Is.EqualTo(label));

    private static IEnumerable<(string File, SvgChart Chart)> Charts() => ResultCharts.Build([Summary()]);

    private static Summary Summary()
    {
        var options = SseArea.LoadTool.LoadOptions.Parse(["compare", "--targets", "sample,baseline,nchan", "--connections", "1000,5000", "--events", "20", "--rate", "20", "--burst", "100"]);
        var runs = new List<RunResult>();
        foreach (var n in new[] { 1000, 5000 })
        {
            runs.Add(Fake.Run("sample", n, 1, burst: 3e6 / (n / 1000), rss: 21, p50: 11, managed: 14_500));
            runs.Add(Fake.Run("baseline", n, 1, burst: 2e6, rss: 18.4, p50: 12, managed: 11_000));
            runs.Add(Fake.Run("nchan", n, 1, burst: 1e5, rss: 9.9, p50: 8.2));
        }

        return Summaries.Create(options, Runner.Describe(options), runs, TextWriter.Null);
    }

    private static XDocument Parse(SvgChart chart) => XDocument.Parse(chart.Render().ToString()); // well-formed, or it throws

    private static List<(string Name, int Points, bool Dashed)> Lines(XDocument svg) =>
        [.. svg.Descendants(Svg + "polyline").Select(p => (
            (string)p.Attribute("data-series")!,
            ((string)p.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries).Length,
            p.Attribute("stroke-dasharray") is not null))];

    private static (double Min, double Max, string Scale) Axis(XDocument svg, string name)
    {
        var axis = svg.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == name);
        return (Number(axis, "data-min"), Number(axis, "data-max"), (string)axis.Attribute("data-scale")!);
    }

    private static double Number(XElement element, string attribute) => double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);

    private static string Text(XDocument svg) => string.Join('\n', svg.Descendants(Svg + "text").Select(t => t.Value));
}
