using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace SseArea.LoadTool;

internal static class Program
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public static async Task<int> Main(string[] args)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}\n\n{LoadOptions.Usage}");
            return 2;
        }

        if (options.Command == "help")
        {
            Console.WriteLine(LoadOptions.Usage);
            return 0;
        }

        using var stop = new CancellationTokenSource(options.MaxDuration);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        try
        {
            var summary = await RunAsync(options, stop.Token);
            Console.WriteLine(JsonSerializer.Serialize(summary, Json));
            return 0;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"error: stopped after {options.MaxDuration.TotalSeconds} s (--max-seconds)");
            return 1;
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }
    }

    private static async Task<Summary> RunAsync(LoadOptions options, CancellationToken cancellationToken)
    {
        using var ownRedis = options.Redis is null ? await StartRedisAsync() : null;
        var redisEndpoint = options.Redis ?? $"127.0.0.1:{ownRedis!.Port}";
        var configuration = ConfigurationOptions.Parse(redisEndpoint);
        configuration.AllowAdmin = true; // CLIENT LIST
        configuration.ClientName = LoadRun.ToolClientName;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        var run = new LoadRun(options, redis, Console.Out);
        var results = new List<RunResult>();

        if (options.Command == "run" && options.Urls.Count > 0)
        {
            results.Add(await run.RunAsync("given", options.Urls, options.Pids, cancellationToken));
        }
        else
        {
            var root = options.RepoRoot ?? FindRepoRoot();
            for (var round = 0; round < (options.Command == "compare" ? options.Rounds : 1); round++)
            {
                foreach (var target in options.Targets)
                {
                    if (target == "nchan")
                    {
                        results.Add(await RunNchanAsync(run, options, root, cancellationToken));
                        continue;
                    }

                    var servers = new List<ChildProcess>();
                    try
                    {
                        for (var i = 0; i < options.Servers; i++)
                        {
                            servers.Add(await StartServerAsync(target, target == "before" ? options.BeforeRoot! : root, redisEndpoint));
                        }

                        var urls = servers.Select(s => new Uri($"http://127.0.0.1:{s.Port}/sse/stream?channel={Uri.EscapeDataString(options.Channel)}")).ToList();
                        results.Add(await run.RunAsync(target, urls, [.. servers.Select(s => s.Pid)], cancellationToken));
                    }
                    finally
                    {
                        servers.ForEach(s => s.Dispose());
                    }
                }
            }
        }

        var ratios = Compare(results, "sample");
        var before = Compare(results, "before");
        var nchan = Compare(results, "sample", against: "nchan");
        return new Summary(options.Command, options.Connections, Machine.Current(), results, ratios, before, nchan);
    }

    private static async Task<RunResult> RunNchanAsync(LoadRun run, LoadOptions options, string root, CancellationToken cancellationToken)
    {
        using var nchan = await NchanServer.StartAsync(root, options.InstallNchan);
        var channel = Uri.EscapeDataString(options.Channel);
        using var publisher = BenchPublisher.Http(new Uri($"http://127.0.0.1:{nchan.Port}/pub?channel={channel}"), options.Padding);
        return await run.RunAsync("nchan", [new Uri($"http://127.0.0.1:{nchan.Port}/sse/stream?channel={channel}")], nchan.Pids, cancellationToken, publisher);
    }

    private static Ratios? Compare(List<RunResult> results, string target, string against = "baseline")
    {
        var sample = results.Where(r => r.Target == target).ToList();
        var baseline = results.Where(r => r.Target == against).ToList();
        if (sample.Count == 0 || baseline.Count == 0)
        {
            return null;
        }

        var ratios = new Ratios(
            Ratio(sample, baseline, r => r.Burst?.DeliveredPerSecond),
            Ratio(sample, baseline, r => r.Paced?.Latency.P99Ms),
            Ratio(sample, baseline, r => r.RssPerConnectionKiB),
            Ratio(sample, baseline, r => r.OpenSeconds));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"# {target}/{against}: burst delivered/s {ratios.BurstDeliveredPerSecond:F3}, paced p99 {ratios.PacedP99:F3}, RSS per connection {ratios.RssPerConnection:F3}, open time {ratios.OpenSeconds:F3}"));
        return ratios;

        static double? Ratio(List<RunResult> ours, List<RunResult> theirs, Func<RunResult, double?> value)
        {
            var a = Median(ours.Select(value));
            var b = Median(theirs.Select(value));
            return a is { } x && b is { } y && y != 0 ? Math.Round(x / y, 3) : null;
        }

        static double? Median(IEnumerable<double?> values)
        {
            var sorted = values.OfType<double>().Order().ToArray();
            return sorted.Length == 0 ? null : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }

    private static async Task<ChildProcess> StartRedisAsync()
    {
        var port = ChildProcess.FreePort();
        var redis = ChildProcess.Start("redis-server", ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], port);
        await redis.WaitForPortAsync(TimeSpan.FromSeconds(10));
        Console.WriteLine($"# redis-server started on 127.0.0.1:{port} (pid {redis.Pid})");
        return redis;
    }

    private static async Task<ChildProcess> StartServerAsync(string target, string root, string redisEndpoint)
    {
        var dll = target is "sample" or "before"
            ? Path.Combine(root, "SampleSite", "bin", "Release", "net10.0", "SampleSite.dll")
            : Path.Combine(root, "SseArea.Benchmarks", "Baseline", "bin", "Release", "net10.0", "SseArea.Baseline.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build first (dotnet build SseArea.sln -c Release).");
        }

        var port = ChildProcess.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
            // The key of each build: Sse:Redis:Url now, Sse:RedisUrl before (which today's refuses at startup).
            [target == "before" ? "Sse__RedisUrl" : "Sse__Redis__Url"] = $"redis://{redisEndpoint}",
            ["Baseline__Redis"] = redisEndpoint,
        };
        var server = ChildProcess.Start("dotnet", [dll, "--urls", $"http://127.0.0.1:{port}"], port, environment, Path.GetDirectoryName(dll));
        await server.WaitForPortAsync(TimeSpan.FromSeconds(30));
        Console.WriteLine($"# {target} started: {Path.GetFileName(dll)} on 127.0.0.1:{port} (pid {server.Pid})");
        return server;
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
