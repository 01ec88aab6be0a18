using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
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
        using var server = await StartSampleSiteAsync(cancellationToken);
        try
        {
            var measure = await HeapProbe.MeasureAsync([server.Id], cancellationToken);

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
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync(CancellationToken.None);
        }
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

    private static async Task<Process> StartSampleSiteAsync(CancellationToken cancellationToken)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var dll = Path.Combine(AppContext.BaseDirectory, "SampleSite.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment = { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Logging__LogLevel__Default"] = "Warning", ["DOTNET_gcServer"] = "0" },
        };
        var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        while (true)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return server;
            }
            catch (SocketException) when (!server.HasExited)
            {
                await Task.Delay(100, cancellationToken);
            }
        }
    }
}
