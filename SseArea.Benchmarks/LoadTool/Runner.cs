using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace SseArea.LoadTool;

/// <summary>
/// The <c>run</c> and <c>compare</c> commands: a Redis, then round by round, for each N, each target in turn
/// (its servers started for the run and stopped after it), so that the targets see the same machine.
/// </summary>
internal static class Runner
{
    /// <summary>Runs everything asked, adding each run's result to <paramref name="results"/> as soon as it is done.</summary>
    public static async Task RunAsync(LoadOptions options, List<RunResult> results, CancellationToken cancellationToken)
    {
        using var ownRedis = options.Redis is null ? await StartRedisAsync() : null;
        var redisEndpoint = options.Redis ?? $"127.0.0.1:{ownRedis!.Port}";
        var configuration = ConfigurationOptions.Parse(redisEndpoint);
        configuration.AllowAdmin = true; // CLIENT LIST
        configuration.ClientName = LoadRun.ToolClientName;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        var run = new LoadRun(options, redis, Console.Out);
        var root = options.Urls.Count > 0 ? null : options.RepoRoot ?? FindRepoRoot();
        for (var round = 1; round <= (options.Command == "compare" ? options.Rounds : 1); round++)
        {
            foreach (var connections in options.Connections)
            {
                if (root is null)
                {
                    results.Add(await run.RunAsync(new("given", options.Urls, options.Pids), connections, round, cancellationToken));
                    continue;
                }

                foreach (var target in options.Targets)
                {
                    results.Add(LoadOptions.BaseOf(target) == "nchan"
                        ? await RunNchanAsync(run, target, options, root, connections, round, cancellationToken)
                        : await RunDotnetAsync(run, target, options, root, redisEndpoint, connections, round, cancellationToken));
                }
            }
        }
    }

    /// <summary>The command's parameters, and the variables each target's servers get from the tool's options.</summary>
    public static Parameters Describe(LoadOptions options) => new(
        DateTimeOffset.UtcNow,
        options.Urls.Count > 0 ? ["given"] : options.Targets,
        options.Events,
        options.Rate,
        options.Burst,
        options.Padding,
        options.Command == "compare" ? options.Rounds : 1,
        options.Servers,
        options.Settle.TotalSeconds,
        options.Heap,
        options.Targets.Where(LoadOptions.IsDotnet).ToDictionary(t => t, options.EnvironmentFor));

    private static async Task<RunResult> RunDotnetAsync(LoadRun run, string target, LoadOptions options, string root, string redisEndpoint, int connections, int round, CancellationToken cancellationToken)
    {
        var servers = new List<ChildProcess>();
        try
        {
            var checkout = LoadOptions.BaseOf(target) == "before" ? options.BeforeRoot! : root;
            var dll = ServerDll(LoadOptions.BaseOf(target), checkout);
            var extra = options.EnvironmentFor(target);
            for (var i = 0; i < options.Servers; i++)
            {
                servers.Add(await StartServerAsync(target, dll, redisEndpoint, extra));
            }

            var urls = servers.Select(s => new Uri($"http://127.0.0.1:{s.Port}/sse/stream?channel={Uri.EscapeDataString(options.Channel)}")).ToList();
            var environment = new SortedDictionary<string, string>(Inherited(), StringComparer.Ordinal);
            foreach (var (key, value) in extra)
            {
                environment[key] = value;
            }

            return await run.RunAsync(new(target, urls, [.. servers.Select(s => s.Pid)], environment, RuntimeConfig(dll)), connections, round, cancellationToken);
        }
        finally
        {
            servers.ForEach(s => s.Dispose());
        }
    }

    private static async Task<RunResult> RunNchanAsync(LoadRun run, string target, LoadOptions options, string root, int connections, int round, CancellationToken cancellationToken)
    {
        using var nchan = await NchanServer.StartAsync(root, options.InstallNchan);
        var channel = Uri.EscapeDataString(options.Channel);
        using var publisher = BenchPublisher.Http(new Uri($"http://127.0.0.1:{nchan.Port}/pub?channel={channel}"), options.Padding);
        var url = new Uri($"http://127.0.0.1:{nchan.Port}/sse/stream?channel={channel}");
        return await run.RunAsync(new(target, [url], nchan.Pids), connections, round, cancellationToken, publisher);
    }

    private static async Task<ChildProcess> StartRedisAsync()
    {
        var port = ChildProcess.FreePort();
        var redis = ChildProcess.Start("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], port);
        await redis.WaitForPortAsync(TimeSpan.FromSeconds(10));
        Console.WriteLine($"# redis-server started on 127.0.0.1:{port} (pid {redis.Pid})");
        return redis;
    }

    private static string ServerDll(string server, string root)
    {
        var dll = server is "sample" or "before"
            ? Path.Combine(root, "SampleSite", "bin", "Release", "net10.0", "SampleSite.dll")
            : Path.Combine(root, "SseArea.Benchmarks", "Baseline", "bin", "Release", "net10.0", "SseArea.Baseline.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"{dll} is missing: build first (dotnet build SseArea.sln -c Release).");
    }

    private static async Task<ChildProcess> StartServerAsync(string target, string dll, string redisEndpoint, IReadOnlyDictionary<string, string> extra)
    {
        var port = ChildProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            // SSE_REDIS_URL for another checkout's build: every build since the first reads it, while the setting's
            // key changed (Sse:RedisUrl, now Sse:Redis:Url; today's build refuses the old key at startup).
            [LoadOptions.BaseOf(target) == "before" ? "SSE_REDIS_URL" : "Sse__Redis__Url"] = $"redis://{redisEndpoint}",
            ["Baseline__Redis"] = redisEndpoint,
        };
        foreach (var (key, value) in extra)
        {
            environment[key] = value;
        }

        var server = ChildProcess.Start("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"], port, environment, Path.GetDirectoryName(dll));
        await server.WaitForPortAsync(TimeSpan.FromSeconds(30));
        var settings = extra.Count == 0 ? "" : $", {string.Join(' ', extra.Select(e => $"{e.Key}={e.Value}"))}";
        Console.WriteLine($"# {target} started: {Path.GetFileName(dll)} on 127.0.0.1:{port} (pid {server.Pid}{settings})");
        return server;
    }

    /// <summary>
    /// The runtime's variables (DOTNET_*, COMPlus_*: GC, JIT, thread pool) the servers inherit from the tool's own
    /// environment; not those of the SDK and its host (DOTNET_CLI_*, DOTNET_NOLOGO, DOTNET_ROOT, ...).
    /// </summary>
    private static SortedDictionary<string, string> Inherited()
    {
        string[] notRuntime = ["DOTNET_CLI_", "DOTNET_NOLOGO", "DOTNET_GENERATE_ASPNET_CERTIFICATE", "DOTNET_SKIP_FIRST_TIME_EXPERIENCE",
            "DOTNET_ROOT", "DOTNET_HOST_PATH", "DOTNET_MSBUILD", "DOTNET_ADD_GLOBAL_TOOLS_TO_PATH", "DOTNET_TELEMETRY", "DOTNET_INSTALL"];
        var inherited = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            if (e.Key is string key && (key.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) || key.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase))
                && !notRuntime.Any(n => key.StartsWith(n, StringComparison.OrdinalIgnoreCase)))
            {
                inherited[key] = e.Value as string ?? "";
            }
        }

        return inherited;
    }

    /// <summary>The GC's settings in the server's runtimeconfig.json (<c>System.GC.*</c>), which its variables override.</summary>
    internal static SortedDictionary<string, string>? RuntimeConfig(string dll)
    {
        var file = Path.ChangeExtension(dll, ".runtimeconfig.json");
        if (!File.Exists(file))
        {
            return null;
        }

        using var json = JsonDocument.Parse(File.ReadAllText(file));
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (json.RootElement.TryGetProperty("runtimeOptions", out var runtime) && runtime.TryGetProperty("configProperties", out var properties))
        {
            foreach (var property in properties.EnumerateObject().Where(p => p.Name.StartsWith("System.GC.", StringComparison.Ordinal)))
            {
                settings[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        return settings;
    }

    private static string FindRepoRoot()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SseArea.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Could not find SseArea.sln above the tool or the current directory: pass --repo DIR.");
    }
}
