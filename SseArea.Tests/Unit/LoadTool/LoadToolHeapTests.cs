using SseArea.LoadTool;
using SseArea.LoadTool.Heap;

namespace SseArea.Tests.Unit.LoadTool;

/// <summary>
/// <c>--heap true</c> on a real server: SampleSite (in-memory broker) started as a child of the test, as the load tool
/// starts its servers, then read by the heap probe. Attaching needs ptrace (root): skipped without it, except in CI.
/// </summary>
[CancelAfter(120_000)]
public sealed class LoadToolHeapTests
{
    [Test]
    public async Task MeasureAsync_ARunningChildServer_GivesItsReachableManagedBytesAndGc(CancellationToken cancellationToken)
    {
        RequireRoot();
        using var server = await StartSampleSiteAsync();
        var measure = await HeapProbe.MeasureAsync([server.Pid], cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(measure.Error, Is.Null);
            Assert.That(measure.Bytes, Is.GreaterThan(500_000), "an ASP.NET Core app holds at least this much");
            Assert.That(measure.Objects, Is.GreaterThan(5_000));
            Assert.That(measure.ServerGc, Is.False, "DOTNET_gcServer=0 was set for it");
            Assert.That(measure.GcHeaps, Is.EqualTo(1));
            Assert.That(server.HasExited, Is.False, "the server runs on after it was read");
        });
    }

    [Test]
    public async Task MeasureAsync_NoSuchProcess_GivesNullAndTheReason(CancellationToken cancellationToken)
    {
        var measure = await HeapProbe.MeasureAsync([int.MaxValue - 7], cancellationToken);

        Assert.Multiple(() =>
        {
            Assert.That(measure.Bytes, Is.Null);
            Assert.That(measure.Error, Does.StartWith($"pid {int.MaxValue - 7}: "));
        });
    }

    private static void RequireRoot()
    {
        if (Environment.UserName != "root" && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Assert.Ignore("attaching to a process needs root (ptrace)");
        }
    }

    // As the load tool starts its servers (ChildProcess: its output read, killed with its tree when disposed).
    private static async Task<ChildProcess> StartSampleSiteAsync()
    {
        var port = ChildProcess.FreePort();
        var server = ChildProcess.Start(
            "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "SampleSite.dll"), "--urls", $"http://127.0.0.1:{port}"],
            port,
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Logging__LogLevel__Default"] = "Warning", ["DOTNET_gcServer"] = "0" },
            AppContext.BaseDirectory);
        await server.WaitForPortAsync(TimeSpan.FromSeconds(60));
        return server;
    }
}
