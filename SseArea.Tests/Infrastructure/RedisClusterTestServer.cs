using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// The one Redis Cluster of a test run: three masters (no replicas), each a <c>redis-server</c> child
/// process on a free loopback port, joined with <c>redis-cli --cluster create</c>. Built on first use
/// (a few seconds), stopped when the run ends. Fails (never skips) under <c>CI=true</c> when it can not be built.
/// </summary>
internal sealed class RedisClusterTestServer : IAsyncDisposable
{
    private const int Masters = 3;
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static RedisClusterTestServer? _instance;

    private readonly List<Process> _processes;
    private readonly List<int> _busPorts;
    private readonly string _directory;
    private readonly string _redisServer;

    private RedisClusterTestServer(IReadOnlyList<int> ports, List<int> busPorts, List<Process> processes, string directory, string redisServer)
    {
        Ports = ports;
        _busPorts = busPorts;
        _processes = processes;
        _directory = directory;
        _redisServer = redisServer;
    }

    /// <summary>The masters' ports.</summary>
    public IReadOnlyList<int> Ports { get; }

    /// <summary>SseArea's setting for the cluster: every master as a seed node, e.g. <c>redis://127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3</c>.</summary>
    public string Url => "redis://" + string.Join(",", Ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)));

    /// <summary>A plain cluster-aware StackExchange.Redis client of the test itself (not SseArea's).</summary>
    public ConnectionMultiplexer Client { get; private set; } = null!;

    /// <summary>The run's cluster; fails under CI when it can not be built, skips elsewhere when redis-server or redis-cli is missing.</summary>
    public static async Task<RedisClusterTestServer> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_instance is null)
            {
                var started = Stopwatch.StartNew();
                RedisClusterTestServer cluster;
                try
                {
                    cluster = await BuildAsync();
                }
                catch (InvalidOperationException e)
                {
                    // A free port can be taken by another process before a node binds it: one more try.
                    TestContext.Progress.WriteLine($"{e.Message}; building the cluster again on other ports.");
                    cluster = await BuildAsync();
                }

                var options = new ConfigurationOptions { AllowAdmin = true };
                foreach (var port in cluster.Ports)
                {
                    options.EndPoints.Add(IPAddress.Loopback, port);
                }

                cluster.Client = await ConnectionMultiplexer.ConnectAsync(options);
                TestContext.Progress.WriteLine($"Redis Cluster for this run: {cluster.Url} (3 masters, built in {started.ElapsedMilliseconds} ms)");
                _instance = cluster;
            }

            return _instance;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Stops the run's cluster, if one was built.</summary>
    public static async Task StopAsync()
    {
        if (_instance is { } cluster)
        {
            _instance = null;
            await cluster.DisposeAsync();
        }
    }

    /// <summary>The port of the master that owns <paramref name="slot"/>, from the cluster's own slot table (<c>CLUSTER SLOTS</c>).</summary>
    public async Task<int> MasterOfSlotAsync(int slot)
    {
        var ranges = (RedisResult[])(await Client.GetDatabase().ExecuteAsync("CLUSTER", "SLOTS"))!;
        foreach (var range in ranges.Select(r => (RedisResult[])r!))
        {
            if ((int)range[0] <= slot && slot <= (int)range[1])
            {
                return (int)((RedisResult[])range[2]!)[1];
            }
        }

        throw new InvalidOperationException($"No master owns slot {slot}.");
    }

    /// <summary>The port of the master that owns the channel's slot (a channel name hashes as a key does).</summary>
    public Task<int> MasterOfAsync(string channel) => MasterOfSlotAsync(RedisHashSlot.Of(channel));

    /// <summary>How many clients SSUBSCRIBE the shard channel, asked on the master that owns it (<c>PUBSUB SHARDNUMSUB</c>).</summary>
    public async Task<long> ShardNumSubAsync(string channel)
    {
        var server = Client.GetServer(IPAddress.Loopback, await MasterOfAsync(channel));
        var reply = (RedisResult[])(await server.ExecuteAsync("PUBSUB", "SHARDNUMSUB", channel))!;
        return (long)reply[1];
    }

    /// <summary>How many clients SUBSCRIBE the (not sharded) channel on any master (<c>PUBSUB NUMSUB</c>, summed).</summary>
    public async Task<long> NumSubAsync(string channel)
    {
        long sum = 0;
        foreach (var port in Ports)
        {
            var reply = (RedisResult[])(await Client.GetServer(IPAddress.Loopback, port).ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
            sum += (long)reply[1];
        }

        return sum;
    }

    /// <summary>SPUBLISHes a raw payload as any Redis client (a Python publisher) would.</summary>
    public Task<long> SPublishRawAsync(string channel, string payload)
        => Client.GetSubscriber().PublishAsync(RedisChannel.Sharded(channel), payload);

    /// <summary>
    /// One channel name per master (<paramref name="prefix"/> plus a number), found by asking the
    /// cluster where each candidate lives: streams of these channels are served by three different shards.
    /// </summary>
    public async Task<string[]> ChannelsOnEveryMasterAsync(string prefix)
    {
        var found = new Dictionary<int, string>();
        for (var i = 0; found.Count < Masters && i < 1000; i++)
        {
            var name = prefix + i.ToString(CultureInfo.InvariantCulture);
            found.TryAdd(await MasterOfAsync(name), name);
        }

        return [.. found.OrderBy(f => f.Key).Select(f => f.Value)];
    }

    /// <summary>
    /// Kills the master on <paramref name="port"/>, runs <paramref name="whileDown"/>, then starts it
    /// again on the same port with its node file: it takes its slots back (not its data: no
    /// persistence). Returns once every node says <c>cluster_state:ok</c> again.
    /// </summary>
    public async Task RestartMasterAsync(int port, Func<Task> whileDown)
    {
        var index = Ports.ToList().IndexOf(port);
        var old = _processes[index];
        old.Kill(entireProcessTree: true);
        await old.WaitForExitAsync();
        old.Dispose();
        try
        {
            await whileDown();
        }
        finally
        {
            _processes[index] = StartNode(_redisServer, port, _busPorts[index], _directory);
            await WaitForListenerAsync(port, _processes);
            foreach (var p in Ports)
            {
                await WaitForClusterOkAsync(p);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        await StopProcessesAsync(_processes);
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory; nothing depends on it.
        }
    }

    private static async Task StopProcessesAsync(List<Process> processes)
    {
        foreach (var process in processes)
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            process.Dispose();
        }
    }

    private static async Task<RedisClusterTestServer> BuildAsync()
    {
        var redisServer = LocalTools.Find("redis-server");
        var redisCli = LocalTools.Find("redis-cli");
        if (redisServer is null || redisCli is null)
        {
            LocalTools.Unavailable("No Redis Cluster for the tests: install redis-server and redis-cli (apt-get install -y redis-server), Redis 7 or later.");
        }

        var directory = Directory.CreateTempSubdirectory("ssearea-cluster-").FullName;
        var processes = new List<Process>();
        try
        {
            var ports = new List<int>();
            var busPorts = new List<int>();
            var taken = new HashSet<int>();
            int FreePort()
            {
                int port;
                do
                {
                    port = RedisTestServer.FreeLoopbackPort();
                }
                while (!taken.Add(port));
                return port;
            }

            for (var i = 0; i < Masters; i++)
            {
                var port = FreePort();
                // The cluster bus port is named too: by default it is port + 10000, which does not
                // exist above 55535 (a fifth of the ephemeral range) and may be another process's.
                var busPort = FreePort();
                ports.Add(port);
                busPorts.Add(busPort);
                processes.Add(StartNode(redisServer!, port, busPort, directory));
            }

            foreach (var port in ports)
            {
                await WaitForListenerAsync(port, processes);
            }

            var create = new List<string> { "--cluster", "create" };
            create.AddRange(ports.Select(p => "127.0.0.1:" + p.ToString(CultureInfo.InvariantCulture)));
            create.Add("--cluster-yes");
            using (var cli = Start(redisCli!, out var output, [.. create]))
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await cli.WaitForExitAsync(deadline.Token);
                }
                catch (OperationCanceledException)
                {
                    cli.Kill();
                    throw new TimeoutException($"redis-cli --cluster create did not finish within 30 s: {output}");
                }

                cli.WaitForExit(); // drains the redirected output
                if (cli.ExitCode != 0)
                {
                    throw new InvalidOperationException($"redis-cli --cluster create failed ({cli.ExitCode}): {output}");
                }
            }

            // Every node must agree before a client reads the slot table.
            foreach (var port in ports)
            {
                await WaitForClusterOkAsync(port);
            }

            return new RedisClusterTestServer(ports, busPorts, processes, directory, redisServer!);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await StopProcessesAsync(processes);
            Directory.Delete(directory, recursive: true);
            throw new InvalidOperationException($"Could not build the test Redis Cluster: {e.Message}", e);
        }
    }

    private static Process StartNode(string redisServer, int port, int busPort, string directory)
    {
        var p = port.ToString(CultureInfo.InvariantCulture);
        return Start(redisServer, out _,
            "--port", p, "--bind", "127.0.0.1", "--cluster-enabled", "yes",
            "--cluster-port", busPort.ToString(CultureInfo.InvariantCulture),
            "--cluster-config-file", Path.Combine(directory, $"nodes-{p}.conf"), "--dir", directory,
            "--save", "", "--appendonly", "no");
    }

    private static Process Start(string executable, out StringBuilder output, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        var text = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (text) { text.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        output = text;
        return process;
    }

    private static async Task WaitForListenerAsync(int port, List<Process> processes)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
                return;
            }
            catch (SocketException) when (!deadline.IsCancellationRequested && processes.TrueForAll(p => !p.HasExited))
            {
                await Task.Delay(20, deadline.Token);
            }
        }
    }

    /// <summary>Asks the node <c>CLUSTER INFO</c> over a bare connection until it says <c>cluster_state:ok</c>.</summary>
    private static async Task WaitForClusterOkAsync(int port)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var info = string.Empty;
        while (!info.Contains("cluster_state:ok", StringComparison.Ordinal))
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"Node 127.0.0.1:{port} did not reach cluster_state:ok: {info}");
            }

            if (info.Length > 0)
            {
                await Task.Delay(50, CancellationToken.None);
            }

            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
            var stream = tcp.GetStream();
            await stream.WriteAsync("*2\r\n$7\r\nCLUSTER\r\n$4\r\nINFO\r\n"u8.ToArray(), deadline.Token);
            var reply = new StringBuilder();
            var buffer = new byte[4096];
            // A bulk reply: "$<length>\r\n<text>\r\n"; read until the text is whole.
            while (!IsWholeBulk(reply.ToString()))
            {
                var read = await stream.ReadAsync(buffer, deadline.Token);
                if (read == 0)
                {
                    break;
                }

                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            info = reply.Length == 0 ? "(no reply)" : reply.ToString();
        }
    }

    private static bool IsWholeBulk(string reply)
    {
        var header = reply.IndexOf("\r\n", StringComparison.Ordinal);
        if (header < 0)
        {
            return false;
        }

        if (reply[0] != '$')
        {
            return true; // an error or another reply: shown as it is
        }

        var length = int.Parse(reply.AsSpan(1, header - 1), CultureInfo.InvariantCulture);
        return reply.Length >= header + 2 + length + 2;
    }
}
