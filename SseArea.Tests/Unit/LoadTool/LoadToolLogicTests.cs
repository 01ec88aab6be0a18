using SseArea.LoadTool;

namespace SseArea.Tests.Unit.LoadTool;

/// <summary>The load tool's arithmetic and parsing: percentiles, payload timestamps, /proc and Redis numbers, options.</summary>
public sealed class LoadToolLogicTests
{
    [Test]
    public void ValueAtPercentile_OneToThousand_IsWithinTheHistogramsPrecision()
    {
        var histogram = new LatencyHistogram();
        for (var v = 1; v <= 1000; v++)
        {
            histogram.Record(v);
        }

        Assert.Multiple(() =>
        {
            Assert.That(histogram.Count, Is.EqualTo(1000));
            Assert.That(histogram.ValueAtPercentile(50), Is.EqualTo(500).Within(1.6).Percent);
            Assert.That(histogram.ValueAtPercentile(95), Is.EqualTo(950).Within(1.6).Percent);
            Assert.That(histogram.ValueAtPercentile(99), Is.EqualTo(990).Within(1.6).Percent);
            Assert.That(histogram.ValueAtPercentile(100), Is.EqualTo(1000));
            Assert.That(histogram.Max, Is.EqualTo(1000));
        });
    }

    [Test]
    public void ValueAtPercentile_SmallValues_AreExact()
    {
        var histogram = new LatencyHistogram();
        foreach (var v in new[] { 3, 1, 2, 100, 4 })
        {
            histogram.Record(v);
        }

        Assert.Multiple(() =>
        {
            Assert.That(histogram.ValueAtPercentile(20), Is.EqualTo(1));
            Assert.That(histogram.ValueAtPercentile(50), Is.EqualTo(3));
            Assert.That(histogram.ValueAtPercentile(80), Is.EqualTo(4));
            Assert.That(histogram.ValueAtPercentile(99), Is.EqualTo(100));
        });
    }

    [Test]
    public void ValueAtPercentile_LargeValues_StayWithinOnePointSixPercentAndBelowMax()
    {
        var histogram = new LatencyHistogram();
        histogram.Record(1_000_000);
        histogram.Record(123_456_789);

        Assert.Multiple(() =>
        {
            Assert.That(histogram.ValueAtPercentile(50), Is.EqualTo(1_000_000).Within(1.6).Percent);
            Assert.That(histogram.ValueAtPercentile(50), Is.GreaterThanOrEqualTo(1_000_000));
            Assert.That(histogram.ValueAtPercentile(100), Is.EqualTo(123_456_789));
        });
    }

    [Test]
    public void Add_MergesCountsAndMax()
    {
        var a = new LatencyHistogram();
        var b = new LatencyHistogram();
        a.Record(10);
        b.Record(20);
        b.Record(30);

        a.Add(b);

        Assert.Multiple(() =>
        {
            Assert.That(a.Count, Is.EqualTo(3));
            Assert.That(a.Max, Is.EqualTo(30));
            Assert.That(a.ValueAtPercentile(50), Is.EqualTo(20));
        });
    }

    [Test]
    public void ValueAtPercentile_Empty_IsZero() =>
        Assert.That(new LatencyHistogram().ValueAtPercentile(99), Is.Zero);

    [Test]
    public void TryReadTimestamp_EventDataOfAPublishedPayload_GivesThePublishTime()
    {
        var payload = BenchPayload.Create(sequence: 7, timestamp: 123_456_789_012, padding: 5);
        SseArea.Internal.Redis.RedisProtocol.TryRead(System.Text.Encoding.UTF8.GetBytes(payload), out var message, out _);
        var data = message!.Data; // what the server writes after "data:"

        Assert.Multiple(() =>
        {
            Assert.That(BenchPayload.TryReadTimestamp(data, out var timestamp), Is.True);
            Assert.That(timestamp, Is.EqualTo(123_456_789_012));
            Assert.That(data, Does.Contain("\"seq\": 7").And.Contain("xxxxx"));
        });
    }

    [Test]
    public void CreateData_WhatNchanIsSent_IsTheDataTheServersWriteForTheRedisPayload()
    {
        var payload = BenchPayload.Create(sequence: 7, timestamp: 42, padding: 3);
        SseArea.Internal.Redis.RedisProtocol.TryRead(System.Text.Encoding.UTF8.GetBytes(payload), out var message, out _);

        Assert.That(BenchPayload.CreateData(sequence: 7, timestamp: 42, padding: 3), Is.EqualTo(message!.Data));
    }

    [Test]
    public void Nchan_IsATarget_OfOneServer_InstalledOnlyWhenAsked()
    {
        var options = LoadOptions.Parse(["compare", "--targets", "sample,baseline,nchan"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Targets, Is.EqualTo(new[] { "sample", "baseline", "nchan" }));
            Assert.That(options.InstallNchan, Is.False);
            Assert.That(LoadOptions.Parse(["run", "--target", "nchan", "--install-nchan", "true"]).InstallNchan, Is.True);
            Assert.That(() => LoadOptions.Parse(["run", "--target", "nchan", "--servers", "2"]), Throws.ArgumentException.With.Message.Contains("--servers must be 1"));
        });
    }

    [TestCase("{\"ts\":42}", 42)]
    [TestCase("{\"seq\": 1, \"ts\":   9000}", 9000)]
    public void TryReadTimestamp_SpacingOfTheJson_DoesNotMatter(string data, long expected)
    {
        Assert.Multiple(() =>
        {
            Assert.That(BenchPayload.TryReadTimestamp(data, out var timestamp), Is.True);
            Assert.That(timestamp, Is.EqualTo(expected));
        });
    }

    [TestCase("{\"seq\": 1}")]
    [TestCase("{\"ts\": \"soon\"}")]
    [TestCase("{\"ts\": -5}")]
    [TestCase("")]
    public void TryReadTimestamp_NoTimestamp_IsFalse(string data) =>
        Assert.That(BenchPayload.TryReadTimestamp(data, out _), Is.False);

    [Test]
    public void ParseVmRssKiB_ProcStatusText_GivesKiB()
    {
        const string status = "Name:\tdotnet\nVmPeak:\t  300000 kB\nVmRSS:\t  108116 kB\nRssAnon:\t   60000 kB\n";

        Assert.That(ProcessFacts.ParseVmRssKiB(status), Is.EqualTo(108116));
    }

    [Test]
    public void ParseVmRssKiB_NoSuchLine_IsNull() =>
        Assert.That(ProcessFacts.ParseVmRssKiB("Name:\tkthreadd\n"), Is.Null);

    [Test]
    public void ParseCpuTicks_ProcStatText_AddsUserAndSystemTime_AfterANameWithSpacesAndParentheses()
    {
        // Fields 14 (utime) and 15 (stime) of /proc/<pid>/stat; the name is field 2, in parentheses.
        const string stat = "4242 (nginx: worker (x)) S 4240 4240 4240 0 -1 4194624 1200 0 0 0 731 269 0 0 20 0 1 0 123 45678 901 18446744073709551615\n";

        Assert.That(ProcessFacts.ParseCpuTicks(stat), Is.EqualTo(1000));
    }

    [Test]
    public void ParseCpuTicks_TruncatedText_IsNull() =>
        Assert.That(ProcessFacts.ParseCpuTicks("4242 (dotnet) S 1 2 3"), Is.Null);

    [Test]
    public void ReadCpuTicks_OfThisProcess_GrowsWithWork()
    {
        var before = ProcessFacts.ReadCpuTicks(Environment.ProcessId);
        Assert.That(before, Is.Not.Null);
        var deadline = Environment.CpuUsage.TotalTime + TimeSpan.FromMilliseconds(60);
        while (Environment.CpuUsage.TotalTime < deadline)
        {
            Thread.SpinWait(1000); // 60 ms of CPU: six ticks or more
        }

        Assert.That(ProcessFacts.ReadCpuTicks(Environment.ProcessId), Is.GreaterThan(before!.Value));
    }

    [Test]
    public void ParseRedisInfo_ClientsSection_GivesConnectedClients()
    {
        const string info = "# Clients\r\nconnected_clients:4\r\ncluster_connections:0\r\nblocked_clients:0\r\n";

        Assert.That(ProcessFacts.ParseRedisInfo(info, "connected_clients"), Is.EqualTo(4));
    }

    [Test]
    public void Parse_CompareWithBefore_RunsTheEarlierBuildBesideTodaysAndTheBaseline()
    {
        var folder = Path.GetTempPath();

        var options = LoadOptions.Parse(["compare", "--before", folder]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Targets, Is.EqualTo(new[] { "sample", "before", "baseline" }));
            Assert.That(options.BeforeRoot, Is.EqualTo(Path.GetFullPath(folder)));
            Assert.That(() => LoadOptions.Parse(["compare", "--targets", "before"]), Throws.ArgumentException.With.Message.Contains("--before DIR"));
            Assert.That(() => LoadOptions.Parse(["compare", "--before", "/no/such/folder"]), Throws.ArgumentException.With.Message.Contains("not a folder"));
        });
    }

    [Test]
    public void Parse_CompareWithCounts_ReadsThem()
    {
        var options = LoadOptions.Parse(["compare", "--connections", "5000", "--rate", "100", "--burst", "0", "--rounds", "2"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Command, Is.EqualTo("compare"));
            Assert.That(options.Connections, Is.EqualTo(new[] { 5000 }));
            Assert.That(options.Burst, Is.Zero);
            Assert.That(options.Rounds, Is.EqualTo(2));
            Assert.That(options.Targets, Is.EqualTo(new[] { "sample", "baseline" }));
        });
    }

    [TestCase("--connections", "0", "--connections")]
    [TestCase("--bogus", "1", "--bogus")]
    [TestCase("--target", "nginx", "nginx")]
    public void Parse_BadOption_NamesIt(string name, string value, string named) =>
        Assert.That(() => LoadOptions.Parse(["compare", name, value]), Throws.ArgumentException.With.Message.Contains(named));

    [Test]
    public void Parse_SourceAddressesPastTheLoopbackRange_AreRefused() =>
        Assert.That(
            () => LoadOptions.Parse(["compare", "--first-source", "250", "--sources", "10"]),
            Throws.ArgumentException.With.Message.Contains("127.0.0.254"));

    [Test]
    public void Parse_UrlThatIsNotALoopbackAddress_IsRefused() =>
        Assert.That(
            () => LoadOptions.Parse(["run", "--url", "http://example.com/sse/stream", "--redis", "127.0.0.1:1"]),
            Throws.ArgumentException.With.Message.Contains("loopback"));
}
