using System.Globalization;

namespace SseArea.LoadTool;

/// <summary>The command line, parsed strictly: an unknown option or a bad value is an error that names it.</summary>
internal sealed partial class LoadOptions
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

    /// <summary>Servers the tool starts itself: <c>sample</c>, <c>baseline</c>, <c>before</c>, <c>nchan</c>, or <c>BASE+LABEL</c>.</summary>
    public IReadOnlyList<string> Targets { get; private set; } = ["sample", "baseline"];

    /// <summary><c>host:port</c> of a running Redis; none: the tool starts a redis-server of its own.</summary>
    public string? Redis { get; private set; }

    /// <summary>The numbers of connections (<c>--connections 1000,5000</c>): every target runs at every one.</summary>
    public IReadOnlyList<int> Connections { get; private set; } = [1000];

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

    /// <summary>Where <c>--charts</c> writes the SVG charts; none: no charts.</summary>
    public string? ChartsDirectory { get; private set; }

    /// <summary>Walk the .NET servers' managed heaps before and after the ramp (<c>--heap true</c>).</summary>
    public bool Heap { get; private set; }

    /// <summary>Saved summaries to draw (<c>chart --from FILE ...</c>).</summary>
    public IReadOnlyList<string> From => _from;

    /// <summary>The process of <c>heap PID [TOP]</c>, and how many types it prints.</summary>
    public int HeapPid { get; private set; }

    public int HeapTop { get; private set; } = 60;

    /// <summary><c>heap PID --json</c>: only the totals, as one JSON line (what <c>--heap true</c> reads).</summary>
    public bool HeapJson { get; private set; }

    private readonly List<Uri> _urls = [];
    private readonly List<int> _pids = [];
    private readonly List<string> _from = [];
    private readonly List<KeyValuePair<string, string>> _serverEnvironment = [];
    private readonly List<(string Target, KeyValuePair<string, string> Variable)> _targetEnvironment = [];

    /// <summary>
    /// What the tool sets for a .NET server of <paramref name="target"/> beyond its basics: every <c>--server-env</c>,
    /// then that target's <c>--target-env</c> (the later wins).
    /// </summary>
    public IReadOnlyDictionary<string, string> EnvironmentFor(string target)
    {
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in _serverEnvironment.Concat(_targetEnvironment.Where(e => e.Target == target).Select(e => e.Variable)))
        {
            environment[key] = value;
        }

        return environment;
    }

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        if (args.Count == 0)
        {
            return options;
        }

        options.Command = args[0] switch
        {
            "run" or "compare" or "chart" or "heap" or "help" => args[0],
            "--help" or "-h" => "help",
            _ => throw new ArgumentException($"Unknown command '{args[0]}': use run, compare, chart, heap or help."),
        };
        if (options.Command == "heap")
        {
            options.HeapJson = args.Count > 2 && args[^1] == "--json";
            var positional = args.Count - (options.HeapJson ? 1 : 0);
            options.HeapPid = positional is 2 or 3 ? Int("PID", args[1], 1) : throw new ArgumentException("heap takes PID [TOP] [--json].");
            options.HeapTop = positional == 3 ? Int("TOP", args[2], 1) : options.HeapTop;
            return options;
        }

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
                case "--from":
                    options._from.Add(value);
                    while (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        options._from.Add(args[++i]);
                    }

                    break;
                case "--charts": options.ChartsDirectory = Path.GetFullPath(value); break;
                case "--heap": options.Heap = Bool(name, value); break;
                case "--server-env": options._serverEnvironment.Add(Variable(name, value)); break;
                case "--target-env":
                    var colon = value.IndexOf(':', StringComparison.Ordinal);
                    options._targetEnvironment.Add(colon > 0
                        ? (Target(value[..colon]), Variable(name, value[(colon + 1)..]))
                        : throw new ArgumentException($"--target-env '{value}' is not TARGET:NAME=VALUE."));
                    break;
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
                case "--connections": options.Connections = [.. value.Split(',', StringSplitOptions.TrimEntries).Select(n => Int(name, n, 1)).Distinct()]; break;
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
                case "--install-nchan": options.InstallNchan = Bool(name, value); break;
                case "--before":
                    options.BeforeRoot = Directory.Exists(value) ? Path.GetFullPath(value) : throw new ArgumentException($"--before '{value}' is not a folder.");
                    break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        if (options.Command == "chart" && (options.From.Count == 0 || options.ChartsDirectory is null))
        {
            throw new ArgumentException("chart needs --from FILE ... (saved summaries) and --charts DIR.");
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

        foreach (var (target, _) in options._targetEnvironment.Where(e => !options.Targets.Contains(e.Target)))
        {
            throw new ArgumentException($"--target-env names target '{target}', which is not in --targets.");
        }

        foreach (var (target, _) in options._targetEnvironment.Where(e => BaseOf(e.Target) == "nchan"))
        {
            throw new ArgumentException($"--target-env names '{target}': nchan is not a .NET server.");
        }

        if (options.Targets.Any(t => BaseOf(t) == "nchan") && options.Servers > 1)
        {
            throw new ArgumentException("Target 'nchan' is one nginx (memory store): --servers must be 1.");
        }

        if (options.Targets.Distinct().Count() != options.Targets.Count)
        {
            throw new ArgumentException("A target is named twice in --targets: give the second one a label, BASE+LABEL.");
        }

        if (options.BeforeRoot is not null && !options.Targets.Contains("before"))
        {
            options.Targets = [.. options.Targets.Take(1), "before", .. options.Targets.Skip(1)];
        }

        if (options.Targets.Any(t => BaseOf(t) == "before") && options.BeforeRoot is null)
        {
            throw new ArgumentException("Target 'before' needs --before DIR (a checkout holding the earlier build).");
        }

        return options;
    }
}
