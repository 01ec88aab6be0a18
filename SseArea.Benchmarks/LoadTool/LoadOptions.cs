using System.Globalization;

namespace SseArea.LoadTool;

/// <summary>The command line, parsed strictly: an unknown option or a bad value is an error that names it.</summary>
internal sealed class LoadOptions
{
    public string Command { get; private set; } = "help";

    /// <summary>Running servers' stream URLs (<c>run --url</c>, repeatable): connections go round-robin.</summary>
    public IReadOnlyList<Uri> Urls => _urls;

    /// <summary>The running servers' process ids (repeatable), for their memory.</summary>
    public IReadOnlyList<int> Pids => _pids;

    /// <summary>Server processes of each started target, sharing one Redis (scale-out).</summary>
    public int Servers { get; private set; } = 1;

    /// <summary>How long to keep every connection open after the phases, then count the open ones.</summary>
    public TimeSpan Hold { get; private set; } = TimeSpan.Zero;

    /// <summary>Servers the tool starts itself: <c>sample</c>, <c>baseline</c>.</summary>
    public IReadOnlyList<string> Targets { get; private set; } = ["sample", "baseline"];

    /// <summary><c>host:port</c> of a running Redis; none: the tool starts a redis-server of its own.</summary>
    public string? Redis { get; private set; }

    public int Connections { get; private set; } = 1000;

    public int Events { get; private set; } = 300;

    public double Rate { get; private set; } = 100;

    public int Burst { get; private set; } = 1000;

    public int Padding { get; private set; }

    public int Rounds { get; private set; } = 1;

    public string Channel { get; private set; } = "bench";

    /// <summary>Loopback source addresses to spread client sockets over (127.0.0.1, .2, ...); 0: one per 25 000 connections.</summary>
    public int Sources { get; private set; }

    /// <summary>The last byte of the first source address (127.0.0.X), so that several tool processes use different ones.</summary>
    public int FirstSource { get; private set; } = 1;

    /// <summary>Connections being opened at the same time (the listen backlog is 4096 here).</summary>
    public int RampConcurrency { get; private set; } = 200;

    public TimeSpan RampTimeout { get; private set; } = TimeSpan.FromSeconds(60);

    public TimeSpan Settle { get; private set; } = TimeSpan.FromSeconds(2);

    public TimeSpan Drain { get; private set; } = TimeSpan.FromSeconds(30);

    /// <summary>The whole run stops by itself after this.</summary>
    public TimeSpan MaxDuration { get; private set; } = TimeSpan.FromSeconds(170);

    public string? RepoRoot { get; private set; }

    /// <summary>Install nginx and libnginx-mod-nchan with apt-get when target <c>nchan</c> needs them (<c>--install-nchan true</c>).</summary>
    public bool InstallNchan { get; private set; }

    /// <summary>A checkout of an earlier build (<c>--before DIR</c>): its SampleSite runs as target <c>before</c>, beside today's.</summary>
    public string? BeforeRoot { get; private set; }

    private readonly List<Uri> _urls = [];
    private readonly List<int> _pids = [];

    public const string Usage = """
        SseArea load tool: N SSE connections on loopback, events published to Redis as Flask-SSE JSON.

          run --url http://127.0.0.1:PORT/sse/stream?channel=bench --redis 127.0.0.1:PORT [--pid PID]
              (--url and --pid repeat: connections go round-robin over the servers, RSS is summed)
          run --target sample|baseline|nchan [--servers K]  (starts K server processes on one Redis, and a
              redis-server unless --redis; nchan: one nginx from SseArea.Benchmarks/nchan/nginx.conf, published
              to over HTTP, --install-nchan true installs Debian's nginx and libnginx-mod-nchan when missing)
          compare [--targets sample,baseline,nchan] [--rounds R]   (each target in turn, then the ratios)
              [--before DIR]   (also target 'before': SampleSite built in the checkout DIR, an earlier
              version, so that before and after are measured in the same run, rounds alternated)

        options: --connections N (1000)  --events M paced events (300)  --rate R events/s (100)
                 --burst B unpaced events for throughput (1000; 0 skips)  --padding BYTES (0)
                 --channel NAME (bench)  --sources K loopback source addresses (auto: 1 per 25 000)
                 --first-source X (1: addresses 127.0.0.X, X+1, ...)
                 --ramp-concurrency C (200)  --ramp-timeout S (60)  --settle S (2)  --drain S (30)
                 --max-seconds S (170)  --hold S keep all connections open S more seconds (0)
                 --repo DIR (found from the tool's location)
        One process holds < 20 000 sockets (open files limit): beyond that run several tools, each
        on its own --channel, against the same servers.
        The last line printed is a JSON summary.
        """;

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        if (args.Count == 0)
        {
            return options;
        }

        options.Command = args[0] switch
        {
            "run" or "compare" or "help" => args[0],
            "--help" or "-h" => "help",
            _ => throw new ArgumentException($"Unknown command '{args[0]}': use run, compare or help."),
        };

        for (var i = 1; i < args.Count; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"Option '{name}' needs a value.");
            }

            var value = args[++i];
            switch (name)
            {
                case "--url":
                    options._urls.Add(Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp
                        ? url
                        : throw new ArgumentException($"--url '{value}' is not an http:// URL."));
                    break;
                case "--pid": options._pids.Add(Int(name, value, 1)); break;
                case "--servers": options.Servers = Int(name, value, 1); break;
                case "--hold": options.Hold = TimeSpan.FromSeconds(Double(name, value)); break;
                case "--target": options.Targets = [Target(value)]; break;
                case "--targets": options.Targets = [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Target)]; break;
                case "--redis": options.Redis = value; break;
                case "--connections": options.Connections = Int(name, value, 1); break;
                case "--events": options.Events = Int(name, value, 0); break;
                case "--rate": options.Rate = Double(name, value); break;
                case "--burst": options.Burst = Int(name, value, 0); break;
                case "--padding": options.Padding = Int(name, value, 0); break;
                case "--rounds": options.Rounds = Int(name, value, 1); break;
                case "--channel": options.Channel = value; break;
                case "--sources": options.Sources = Int(name, value, 0); break;
                case "--first-source": options.FirstSource = Int(name, value, 1); break;
                case "--ramp-concurrency": options.RampConcurrency = Int(name, value, 1); break;
                case "--ramp-timeout": options.RampTimeout = TimeSpan.FromSeconds(Double(name, value)); break;
                case "--settle": options.Settle = TimeSpan.FromSeconds(Double(name, value)); break;
                case "--drain": options.Drain = TimeSpan.FromSeconds(Double(name, value)); break;
                case "--max-seconds": options.MaxDuration = TimeSpan.FromSeconds(Double(name, value)); break;
                case "--repo": options.RepoRoot = value; break;
                case "--install-nchan": options.InstallNchan = value is "true" or "yes" or "1"; break;
                case "--before":
                    options.BeforeRoot = Directory.Exists(value) ? Path.GetFullPath(value) : throw new ArgumentException($"--before '{value}' is not a folder.");
                    break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        if (options.Command == "run" && options.Urls.Count == 0 && options.Targets.Count != 1)
        {
            throw new ArgumentException("run needs --url (a running server) or --target sample|baseline.");
        }

        foreach (var u in options.Urls.Where(u => !(System.Net.IPAddress.TryParse(u.Host, out var address) && System.Net.IPAddress.IsLoopback(address))))
        {
            throw new ArgumentException($"--url host '{u.Host}' must be a loopback IP address such as 127.0.0.1.");
        }

        if (options.FirstSource + Math.Max(options.Sources, 1) - 1 > 254)
        {
            throw new ArgumentException("--first-source and --sources go past 127.0.0.254.");
        }

        if (options.Command == "run" && options.Urls.Count > 0 && options.Redis is null)
        {
            throw new ArgumentException("run --url needs --redis host:port (the Redis the server listens to).");
        }

        if (options.Targets.Contains("nchan") && options.Servers > 1)
        {
            throw new ArgumentException("Target 'nchan' is one nginx (memory store): --servers must be 1.");
        }

        if (options.BeforeRoot is not null && !options.Targets.Contains("before"))
        {
            options.Targets = [.. options.Targets.Take(1), "before", .. options.Targets.Skip(1)];
        }

        if (options.Targets.Contains("before") && options.BeforeRoot is null)
        {
            throw new ArgumentException("Target 'before' needs --before DIR (a checkout holding the earlier build).");
        }

        return options;
    }

    private static string Target(string value) => value is "sample" or "baseline" or "before" or "nchan"
        ? value
        : throw new ArgumentException($"Unknown target '{value}': use sample, baseline, before or nchan.");

    private static int Int(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new ArgumentException($"Option '{name}' takes an integer ≥ {min}, not '{value}'.");

    private static double Double(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && double.IsFinite(n)
            ? n
            : throw new ArgumentException($"Option '{name}' takes a non-negative number, not '{value}'.");
}
