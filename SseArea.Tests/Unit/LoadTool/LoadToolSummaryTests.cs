using System.Text.Json;
using SseArea.LoadTool;

namespace SseArea.Tests.Unit.LoadTool;

/// <summary>The latency CDF, medians per target and N over rounds, ratios per N, and summaries read back from a log.</summary>
public sealed class LoadToolSummaryTests
{
    [Test]
    public void Cdf_OneToHundredMilliseconds_GivesEachPercentileWithinTheHistogramsPrecision()
    {
        var histogram = new LatencyHistogram();
        for (var ms = 1; ms <= 100; ms++)
        {
            histogram.Record(ms * 1000); // microseconds
        }

        var cdf = LatencyResult.From(histogram).Cdf!;

        Assert.Multiple(() =>
        {
            Assert.That(cdf.Select(p => p.P), Is.EqualTo(LatencyResult.CdfPercentiles));
            Assert.That(cdf.Select(p => p.Ms), Is.Ordered);
            Assert.That(cdf.Single(p => p.P == 0).Ms, Is.EqualTo(1).Within(1.6).Percent, "the smallest value");
            Assert.That(cdf.Single(p => p.P == 10).Ms, Is.EqualTo(10).Within(1.6).Percent);
            Assert.That(cdf.Single(p => p.P == 50).Ms, Is.EqualTo(50).Within(1.6).Percent);
            Assert.That(cdf.Single(p => p.P == 90).Ms, Is.EqualTo(90).Within(1.6).Percent);
            Assert.That(cdf.Single(p => p.P == 99).Ms, Is.EqualTo(99).Within(1.6).Percent);
            Assert.That(cdf.Single(p => p.P == 99.9).Ms, Is.EqualTo(100));
            Assert.That(cdf.Single(p => p.P == 100).Ms, Is.EqualTo(100), "the maximum, exact");
        });
    }

    [Test]
    public void Cdf_NoSamples_IsNull() =>
        Assert.That(LatencyResult.From(new LatencyHistogram()).Cdf, Is.Null);

    [Test]
    public void Create_TwoTargetsTwoNThreeRounds_GivesMediansAndRatiosPerN()
    {
        var options = LoadOptions.Parse(["compare", "--targets", "sample,baseline", "--connections", "100,200", "--rounds", "3"]);
        var runs = new List<RunResult>();
        foreach (var round in new[] { 1, 2, 3 })
        {
            runs.Add(Fake.Run("sample", 100, round, burst: 1000 * round, rss: 20 + round, p50: round));
            runs.Add(Fake.Run("baseline", 100, round, burst: 500 * round, rss: 10 + round, p50: 2 * round));
            runs.Add(Fake.Run("sample", 200, round, burst: 3000, rss: 15, p50: 1, managed: 14_000 + round));
            runs.Add(Fake.Run("baseline", 200, round, burst: 1500, rss: 12, p50: 1, managed: 7_000));
        }

        var summary = Summaries.Create(options, Runner.Describe(options), runs, TextWriter.Null);

        var sample100 = summary.Medians!.Single(m => m.Target == "sample" && m.Connections == 100);
        var at200 = summary.RatiosByConnections!.Single(c => c.Connections == 200).Ratios.Single(r => r.Target == "sample");
        Assert.Multiple(() =>
        {
            Assert.That(summary.Medians!.Select(m => (m.Target, m.Connections)), Is.EqualTo(new[] { ("sample", 100), ("sample", 200), ("baseline", 100), ("baseline", 200) }));
            Assert.That((sample100.Rounds, sample100.BurstDeliveredPerSecond, sample100.RssPerConnectionKiB, sample100.PacedP50Ms), Is.EqualTo((3, 2000.0, 22.0, 2.0)));
            Assert.That(summary.SampleOverBaseline!.BurstDeliveredPerSecond, Is.EqualTo(2.0), "the older field: the first N's ratio");
            Assert.That(summary.SampleOverBaseline.Target, Is.Null);
            Assert.That(summary.Connections, Is.EqualTo(100));
            Assert.That(summary.ConnectionCounts, Is.EqualTo(new[] { 100, 200 }));
            Assert.That((at200.Against, at200.BurstDeliveredPerSecond, at200.ManagedPerConnection), Is.EqualTo(("baseline", 2.0, 2.0)));
            Assert.That(summary.SampleOverNchan, Is.Null);
        });
    }

    [Test]
    public void MedianCdf_ThreeRounds_TakesTheMedianAtEachPercentile()
    {
        IReadOnlyList<CdfPoint>[] rounds = [[new(50, 1), new(99, 30)], [new(50, 3), new(99, 10)], [new(50, 2), new(99, 20)]];

        var median = Summaries.MedianCdf(rounds);

        Assert.That(median, Is.EqualTo(new[] { new CdfPoint(50, 2), new CdfPoint(99, 20) }));
    }

    [Test]
    public void ReadSummary_LogWhoseLastLineIsTheJson_RoundTrips()
    {
        var options = LoadOptions.Parse(["compare", "--connections", "100", "--target-env", "sample:DOTNET_gcServer=0"]);
        var summary = Summaries.Create(options, Runner.Describe(options), [Fake.Run("sample", 100, 1, 1000, 20, 1, managed: 9000), Fake.Run("baseline", 100, 1, 900, 18, 1)], TextWriter.Null);
        var log = Path.GetTempFileName();
        try
        {
            File.WriteAllText(log, "# sample started\n# chart: x.svg\n" + JsonSerializer.Serialize(summary, SummaryJson.Options) + "\n");

            var read = SummaryJson.Read(log);

            Assert.Multiple(() =>
            {
                Assert.That(read.Runs, Has.Count.EqualTo(2));
                Assert.That(read.Runs[0].Paced!.Latency.Cdf, Is.EqualTo(summary.Runs[0].Paced!.Latency.Cdf));
                Assert.That(read.Runs[0].Heap!.BytesPerConnection, Is.EqualTo(9000));
                Assert.That(read.Parameters!.Environment["sample"]["DOTNET_gcServer"], Is.EqualTo("0"));
                Assert.That(read.Medians, Is.EqualTo(summary.Medians).Using<TargetMedians>((a, b) => a.Target == b.Target && a.RssPerConnectionKiB == b.RssPerConnectionKiB));
            });
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Test]
    public void ReadSummary_OlderSummaryWithoutTheNewFields_IsRead()
    {
        const string older = """{"command":"compare","connections":1000,"machine":{"cores":2,"cpu":null,"os":"Linux","runtime":".NET","memoryMiB":1,"openFilesSoftLimit":"20000"},"runs":[{"target":"sample","urls":[],"serverProcesses":1,"requested":1000,"opened":1000,"failed":0,"firstFailure":null,"sourceAddresses":1,"openSeconds":1.5,"rssBeforeKiB":1,"rssAfterKiB":2,"rssPerConnectionKiB":21.5,"redisConnectedClients":3,"redisClientsOfServer":1,"paced":null,"burst":{"events":10,"publishedPerSecond":1,"expected":10,"delivered":10,"lossPercent":0,"seconds":1,"deliveredPerSecond":5000,"latency":{"samples":10,"p50Ms":1,"p95Ms":2,"p99Ms":3,"maxMs":4}},"endedByServer":0,"firstEndReason":null,"holdSeconds":0,"openAtEnd":1000}],"sampleOverBaseline":null,"beforeOverBaseline":null}""";
        var log = Path.GetTempFileName();
        try
        {
            File.WriteAllText(log, older + "\n");

            var read = SummaryJson.Read(log);

            Assert.Multiple(() =>
            {
                Assert.That(read.Runs.Single().RssPerConnectionKiB, Is.EqualTo(21.5));
                Assert.That(read.Runs.Single().Round, Is.EqualTo(1));
                Assert.That(read.Parameters, Is.Null);
                Assert.That(Summaries.Medians(read.Runs).Single().BurstDeliveredPerSecond, Is.EqualTo(5000));
            });
        }
        finally
        {
            File.Delete(log);
        }
    }

    [Test]
    public void ReadSummary_LogWithoutJson_SaysSo()
    {
        var log = Path.GetTempFileName();
        try
        {
            File.WriteAllText(log, "error: stopped\n");

            Assert.That(() => SummaryJson.Read(log), Throws.InstanceOf<InvalidDataException>().With.Message.Contains("no JSON summary"));
        }
        finally
        {
            File.Delete(log);
        }
    }
}

/// <summary>Run results with the figures the summaries and charts read, the rest plausible.</summary>
internal static class Fake
{
    public static RunResult Run(string target, int connections, int round, double burst, double rss, double p50, double? managed = null)
    {
        var histogram = new LatencyHistogram();
        foreach (var ms in new[] { p50 / 2, p50, p50, p50 * 4 })
        {
            histogram.Record((long)(ms * 1000));
        }

        var latency = LatencyResult.From(histogram) with { P50Ms = p50 };
        var paced = new PhaseResult(10, 20, connections * 10L, connections * 10L, 0, 0.5, 100, latency);
        var burstPhase = new PhaseResult(100, 1e6, connections * 100L, connections * 100L, 0, 0.1, burst, latency);
        var heap = managed is { } m ? new HeapResult(1_000_000, 1_000_000 + (long)(m * connections), m, 1000, true, 2, 0.5, null) : null;
        return new RunResult(target, [], 1, connections, connections, 0, null, 1, 0.5, 100_000, 100_000 + (long)(rss * connections), rss,
            3, 1, paced, burstPhase, 0, null, 0, connections, round, heap, null, null, 1.0);
    }
}
