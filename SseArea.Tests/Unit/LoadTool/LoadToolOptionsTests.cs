using SseArea.LoadTool;

namespace SseArea.Tests.Unit.LoadTool;

/// <summary>The load tool's newer options: lists of N, labelled targets with their own variables, charts, heap.</summary>
public sealed class LoadToolOptionsTests
{
    [Test]
    public void Parse_ConnectionsList_KeepsTheOrderAndDropsRepeats() =>
        Assert.That(LoadOptions.Parse(["compare", "--connections", "1000, 5000,10000,5000"]).Connections, Is.EqualTo(new[] { 1000, 5000, 10000 }));

    [TestCase("1000,,2000")]
    [TestCase("1000,0")]
    [TestCase("1k")]
    public void Parse_ConnectionsListWithABadValue_NamesTheOption(string value) =>
        Assert.That(() => LoadOptions.Parse(["compare", "--connections", value]), Throws.ArgumentException.With.Message.Contains("--connections"));

    [Test]
    public void EnvironmentFor_ServerEnvThenTargetEnv_TheTargetsValueWins()
    {
        var options = LoadOptions.Parse([
            "compare", "--targets", "sample,sample+ws,baseline,nchan",
            "--server-env", "DOTNET_GCgen0size=0x400000", "--server-env", "DOTNET_gcServer=1",
            "--target-env", "sample+ws:DOTNET_gcServer=0"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Targets, Is.EqualTo(new[] { "sample", "sample+ws", "baseline", "nchan" }));
            Assert.That(options.EnvironmentFor("sample"), Is.EquivalentTo(new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x400000", ["DOTNET_gcServer"] = "1" }));
            Assert.That(options.EnvironmentFor("sample+ws"), Is.EquivalentTo(new Dictionary<string, string> { ["DOTNET_GCgen0size"] = "0x400000", ["DOTNET_gcServer"] = "0" }));
            Assert.That(LoadOptions.BaseOf("sample+ws"), Is.EqualTo("sample"));
            Assert.That(LoadOptions.IsDotnet("sample+ws"), Is.True);
            Assert.That(LoadOptions.IsDotnet("nchan"), Is.False);
        });
    }

    [TestCase("--target-env", "sample+ws:DOTNET_gcServer=0", "not in --targets")]
    [TestCase("--target-env", "nchan:DOTNET_gcServer=0", "not a .NET server")]
    [TestCase("--target-env", "sample", "TARGET:NAME=VALUE")]
    [TestCase("--server-env", "DOTNET_gcServer", "NAME=VALUE")]
    [TestCase("--server-env", "=1", "NAME=VALUE")]
    [TestCase("--targets", "sample,sample", "named twice")]
    [TestCase("--targets", "sample+", "Unknown target")]
    [TestCase("--targets", "redis+x", "Unknown target")]
    [TestCase("--heap", "maybe", "--heap")]
    public void Parse_BadTargetOrVariable_SaysWhatIsWrong(string name, string value, string message)
    {
        string[] args = name == "--targets" ? ["compare", name, value] : ["compare", "--targets", "sample,nchan", name, value];

        Assert.That(() => LoadOptions.Parse(args), Throws.ArgumentException.With.Message.Contains(message));
    }

    [Test]
    public void Parse_ChartsAndHeap_AreRead()
    {
        var options = LoadOptions.Parse(["run", "--target", "sample", "--charts", "charts-out", "--heap", "true"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.ChartsDirectory, Is.EqualTo(Path.GetFullPath("charts-out")));
            Assert.That(options.Heap, Is.True);
            Assert.That(LoadOptions.Parse(["run", "--target", "sample"]).Heap, Is.False);
        });
    }

    [Test]
    public void Parse_ChartFromSeveralFiles_TakesEveryFileUpToTheNextOption()
    {
        var options = LoadOptions.Parse(["chart", "--from", "a.log", "b.log", "--charts", "out"]);

        Assert.Multiple(() =>
        {
            Assert.That(options.Command, Is.EqualTo("chart"));
            Assert.That(options.From, Is.EqualTo(new[] { "a.log", "b.log" }));
            Assert.That(() => LoadOptions.Parse(["chart", "--from", "a.log"]), Throws.ArgumentException.With.Message.Contains("--charts DIR"));
            Assert.That(() => LoadOptions.Parse(["chart", "--charts", "out"]), Throws.ArgumentException.With.Message.Contains("--from FILE"));
        });
    }

    [Test]
    public void Parse_Heap_TakesPidTopAndJson()
    {
        var table = LoadOptions.Parse(["heap", "1234", "20"]);
        var json = LoadOptions.Parse(["heap", "1234", "--json"]);

        Assert.Multiple(() =>
        {
            Assert.That((table.Command, table.HeapPid, table.HeapTop, table.HeapJson), Is.EqualTo(("heap", 1234, 20, false)));
            Assert.That((json.HeapPid, json.HeapTop, json.HeapJson), Is.EqualTo((1234, 60, true)));
            Assert.That(() => LoadOptions.Parse(["heap"]), Throws.ArgumentException.With.Message.Contains("PID"));
            Assert.That(() => LoadOptions.Parse(["heap", "x"]), Throws.ArgumentException.With.Message.Contains("PID"));
        });
    }

    [Test]
    public void Usage_DescribesTheNewOptions() =>
        Assert.That(LoadOptions.Usage, Does.Contain("--charts DIR").And.Contain("--heap true").And.Contain("--target-env TARGET:NAME=VALUE")
            .And.Contain("BASE+LABEL").And.Contain("chart --from").And.Contain("heap PID"));

    [Test]
    public void RuntimeConfig_OfAServer_GivesItsGcSettingsAsWritten()
    {
        var folder = Directory.CreateTempSubdirectory("runtimeconfig-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "Site.runtimeconfig.json"), """
                {"runtimeOptions": {"tfm": "net10.0", "configProperties": {
                  "System.GC.Server": true, "System.GC.ConserveMemory": 5, "System.GC.Name": "x", "System.Globalization.Invariant": true}}}
                """);

            var settings = Runner.RuntimeConfig(Path.Combine(folder, "Site.dll"));

            Assert.Multiple(() =>
            {
                Assert.That(settings, Is.EquivalentTo(new Dictionary<string, string> { ["System.GC.Server"] = "true", ["System.GC.ConserveMemory"] = "5", ["System.GC.Name"] = "x" }));
                Assert.That(Runner.RuntimeConfig(Path.Combine(folder, "Other.dll")), Is.Null);
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
