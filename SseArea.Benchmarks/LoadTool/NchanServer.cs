using System.Diagnostics;

namespace SseArea.LoadTool;

/// <summary>
/// nchan (nginx's pub/sub module, in C) as a target: nginx started from <c>SseArea.Benchmarks/nchan/nginx.conf</c> in a
/// folder of its own on a free loopback port, its master and workers measured together, killed when done.
/// </summary>
internal sealed class NchanServer : IDisposable
{
    private const string Module = "/usr/lib/nginx/modules/ngx_nchan_module.so";

    private readonly ChildProcess _nginx;
    private readonly string _directory;

    private NchanServer(ChildProcess nginx, string directory)
    {
        _nginx = nginx;
        _directory = directory;
    }

    public int Port => _nginx.Port;

    /// <summary>The master's and the workers' process ids, whose RSS is the server's.</summary>
    public IReadOnlyList<int> Pids => [_nginx.Pid, .. Children(_nginx.Pid)];

    /// <summary>Starts nginx with nchan; installs Debian's packages first when <paramref name="install"/> and they are missing.</summary>
    public static async Task<NchanServer> StartAsync(string root, bool install)
    {
        if (!File.Exists(Module))
        {
            if (!install)
            {
                throw new InvalidOperationException($"{Module} is missing: run apt-get install -y nginx libnginx-mod-nchan, or pass --install-nchan true.");
            }

            using var apt = Process.Start(new ProcessStartInfo("apt-get", ["install", "-y", "nginx", "libnginx-mod-nchan"]) { Environment = { ["DEBIAN_FRONTEND"] = "noninteractive" } })!;
            await apt.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(5)).Token);
            if (apt.ExitCode != 0 || !File.Exists(Module))
            {
                throw new InvalidOperationException($"apt-get install -y nginx libnginx-mod-nchan failed (exit {apt.ExitCode}).");
            }
        }

        var directory = Directory.CreateTempSubdirectory("sse-nchan-").FullName;
        var port = ChildProcess.FreePort();
        var config = Path.Combine(directory, "nginx.conf");
        var template = await File.ReadAllTextAsync(Path.Combine(root, "SseArea.Benchmarks", "nchan", "nginx.conf"));
        await File.WriteAllTextAsync(config, template.Replace("{{DIR}}", directory, StringComparison.Ordinal).Replace("{{PORT}}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
        Directory.CreateDirectory(Path.Combine(directory, "logs"));
        var nginx = ChildProcess.Start("nginx", ["-p", directory, "-c", config, "-g", "daemon off;"], port);
        await nginx.WaitForPortAsync(TimeSpan.FromSeconds(30));
        var server = new NchanServer(nginx, directory);
        Console.WriteLine($"# nchan started: nginx on 127.0.0.1:{port} (pids {string.Join(", ", server.Pids)})");
        return server;
    }

    public void Dispose()
    {
        _nginx.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // a worker still closing its log: the folder is in /tmp
        }
    }

    private static IEnumerable<int> Children(int pid)
    {
        var file = $"/proc/{pid}/task/{pid}/children";
        return File.Exists(file)
            ? File.ReadAllText(file).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, System.Globalization.CultureInfo.InvariantCulture))
            : [];
    }
}
