using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// A test's own <c>redis-server</c> child process on a free loopback port, which the test may kill
/// (SIGKILL, as in a crash) and start again on the same port. Never the run's shared server: other
/// tests use that one. With <c>persistent</c>, the server keeps an append-only file fsynced on every
/// write (<c>--appendonly yes --appendfsync always</c>) in a directory of its own, so its data
/// survives a kill.
/// </summary>
internal sealed class OwnRedisServer : IAsyncDisposable
{
    private readonly string _executable;
    private readonly string _directory;
    private readonly bool _persistent;
    private Process? _process;
    private ConnectionMultiplexer? _client;

    private OwnRedisServer(string executable, int port, bool persistent)
    {
        _executable = executable;
        Port = port;
        _persistent = persistent;
        _directory = Directory.CreateTempSubdirectory("sse-redis-").FullName;
    }

    public int Port { get; }

    /// <summary>A URL for SseArea's configuration.</summary>
    public string Url => $"redis://127.0.0.1:{Port}";

    /// <summary>A plain StackExchange.Redis client of the test itself, connected while the server runs.</summary>
    public ConnectionMultiplexer Client => _client ?? throw new InvalidOperationException("The Redis server is not running.");

    /// <summary>Starts a server; fails (never skips) under CI when <c>redis-server</c> is missing, skips elsewhere.</summary>
    public static async Task<OwnRedisServer> StartAsync(bool persistent = false)
    {
        var executable = LocalTools.Find("redis-server");
        if (executable is null)
        {
            LocalTools.Unavailable("This test runs its own redis-server: install it (apt-get install -y redis-server).");
        }

        var server = new OwnRedisServer(executable!, RedisTestServer.FreeLoopbackPort(), persistent);
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Kills the process (SIGKILL: no shutdown, no final save) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
            _client = null;
        }

        if (_process is { } process)
        {
            _process = null;
            process.Kill();
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    /// <summary>
    /// Stops the process with SIGSTOP: the server keeps its connections but answers nothing, for as
    /// long as the test needs (unlike <c>CLIENT PAUSE</c>, whose fixed duration a slow machine can outlast),
    /// until <see cref="ResumeAsync"/>.
    /// </summary>
    public Task SuspendAsync() => SignalAsync("-STOP");

    /// <summary>Lets a suspended server go on (SIGCONT); the commands sent meanwhile are then answered.</summary>
    public Task ResumeAsync() => SignalAsync("-CONT");

    private async Task SignalAsync(string signal)
    {
        var process = _process ?? throw new InvalidOperationException("The Redis server is not running.");
        Assert.That(await LocalTools.SignalAsync(process.Id, signal), Is.True, $"kill {signal} {process.Id}");
    }

    /// <summary>Starts the server on its port (again) and waits until it answers PING with PONG.</summary>
    public async Task StartAgainAsync()
    {
        if (_process is not null)
        {
            throw new InvalidOperationException("The Redis server is already running.");
        }

        var start = new ProcessStartInfo(_executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        string[] arguments =
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory, "--save", "",
            .. _persistent ? (string[])["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"],
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await AnswersPingAsync(deadline.Token))
        {
            if (process.HasExited || deadline.IsCancellationRequested)
            {
                string log;
                lock (output)
                {
                    log = output.ToString();
                }

                Assert.Fail($"redis-server on port {Port} did not answer PING (exited: {process.HasExited}); its output: {log}");
            }

            // Polling a local port: redis-server is up within milliseconds.
            await Task.Delay(10, CancellationToken.None);
        }

        var options = ConfigurationOptions.Parse($"127.0.0.1:{Port}");
        options.AllowAdmin = true;
        _client = await ConnectionMultiplexer.ConnectAsync(options);
    }

    /// <summary>How many Redis clients subscribe to the literal channel (<c>PUBSUB NUMSUB</c>).</summary>
    public async Task<long> NumSubAsync(string channel)
    {
        var reply = (RedisResult[])(await Client.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
        return (long)reply[1];
    }

    /// <summary>
    /// The channels matching <paramref name="pattern"/> that have at least one subscriber
    /// (<c>PUBSUB CHANNELS pattern</c>; StackExchange.Redis keeps one of its own, <c>__Booksleeve_MasterChanged</c>).
    /// </summary>
    public async Task<string[]> SubscribedChannelsAsync(string pattern)
        => [.. ((RedisResult[])(await Client.GetDatabase().ExecuteAsync("PUBSUB", "CHANNELS", pattern))!).Select(channel => (string)channel!)];

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory; the system cleans it up eventually.
        }
    }

    private async Task<bool> AnswersPingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPAddress.Loopback, Port, cancellationToken);
            var stream = tcp.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken);
            var reply = new byte[64];
            var read = await stream.ReadAsync(reply, cancellationToken);
            // "-LOADING ..." while the append-only file is read back: not ready yet.
            return Encoding.ASCII.GetString(reply, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
