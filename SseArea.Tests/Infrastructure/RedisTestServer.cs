using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using DotNet.Testcontainers.Configurations;
using StackExchange.Redis;
using Testcontainers.Redis;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// The one real Redis server of a test run, found in this order: the <c>REDIS_URL</c> environment
/// variable; a Testcontainers container when a Docker daemon answers; a <c>redis-server</c> child
/// process on a free loopback port. Started on first use, stopped when the run ends.
/// </summary>
internal sealed class RedisTestServer : IAsyncDisposable
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static RedisTestServer? _instance;

    private readonly Process? _process;
    private readonly RedisContainer? _container;

    private RedisTestServer(string url, string origin, Process? process = null, RedisContainer? container = null)
    {
        Url = url;
        Origin = origin;
        _process = process;
        _container = container;
    }

    /// <summary>A URL for SseArea's configuration, e.g. <c>redis://127.0.0.1:41234</c>.</summary>
    public string Url { get; }

    /// <summary>Where the server came from, for test output.</summary>
    public string Origin { get; }

    /// <summary>A plain StackExchange.Redis client of the test itself (not SseArea's).</summary>
    public ConnectionMultiplexer Client { get; private set; } = null!;

    /// <summary>The run's server; fails (never skips) under CI when none can be had, skips elsewhere.</summary>
    public static async Task<RedisTestServer> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_instance is null)
            {
                var server = await StartAsync();
                if (!SseArea.Internal.Redis.RedisUrl.TryParse(server.Url, out var options, out var error))
                {
                    throw new InvalidOperationException(error);
                }

                options.AllowAdmin = true; // CLIENT PAUSE, to make Redis stall on purpose.
                server.Client = await ConnectionMultiplexer.ConnectAsync(options);
                TestContext.Progress.WriteLine($"Redis for this run: {server.Url} ({server.Origin})");
                _instance = server;
            }

            return _instance;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Stops the run's server, if one was started.</summary>
    public static async Task StopAsync()
    {
        if (_instance is { } server)
        {
            _instance = null;
            await server.DisposeAsync();
        }
    }

    /// <summary>How many Redis clients subscribe to the literal channel (<c>PUBSUB NUMSUB</c>).</summary>
    public async Task<long> NumSubAsync(string channel)
    {
        var reply = (RedisResult[])(await Client.GetDatabase().ExecuteAsync("PUBSUB", "NUMSUB", channel))!;
        return (long)reply[1];
    }

    /// <summary>How many pattern subscriptions exist (<c>PUBSUB NUMPAT</c>).</summary>
    public async Task<long> NumPatAsync() => (long)await Client.GetDatabase().ExecuteAsync("PUBSUB", "NUMPAT");

    /// <summary>PUBLISHes a raw payload as any Redis client (a Python Flask-SSE app, say) would.</summary>
    public Task<long> PublishRawAsync(string channel, string payload)
        => Client.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), payload);

    public async ValueTask DisposeAsync()
    {
        if (Client is not null)
        {
            await Client.DisposeAsync();
        }

        if (_container is not null)
        {
            await _container.DisposeAsync();
        }

        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private static async Task<RedisTestServer> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("REDIS_URL") is { Length: > 0 } url)
        {
            return new RedisTestServer(url, "REDIS_URL");
        }

        if (DockerAvailable())
        {
            var container = new RedisBuilder("redis:7.0").Build();
            try
            {
                await container.StartAsync();
                return new RedisTestServer("redis://" + container.GetConnectionString(), "Testcontainers", container: container);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A Docker endpoint is configured but can not run the container: use a local server.
                TestContext.Progress.WriteLine($"Testcontainers could not start Redis ({e.GetType().Name}: {e.Message}); starting redis-server instead.");
                await container.DisposeAsync();
            }
        }

        return await StartRedisServerAsync(FreeLoopbackPort());
    }

    /// <summary>Starts <c>redis-server</c> on <paramref name="port"/> and waits until it answers PING.</summary>
    internal static async Task<RedisTestServer> StartRedisServerAsync(int port)
    {
        var executable = LocalTools.Find("redis-server");
        if (executable is null)
        {
            LocalTools.Unavailable("No Redis for the tests: set REDIS_URL, run a Docker daemon, or install redis-server (apt-get install -y redis-server).");
        }

        var start = new ProcessStartInfo(executable!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            try
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, port, deadline.Token);
                break;
            }
            catch (SocketException) when (!deadline.IsCancellationRequested && !process.HasExited)
            {
                await Task.Delay(20, deadline.Token);
            }
        }

        return new RedisTestServer($"redis://127.0.0.1:{port}", $"redis-server child process {process.Id}", process);
    }

    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool DockerAvailable()
    {
        try
        {
            return TestcontainersSettings.OS.DockerEndpointAuthConfig is not null;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }
}
