namespace SseArea.LoadTool;

internal sealed partial class LoadOptions
{
    public const string Usage = """
        SseArea load tool: N SSE connections on loopback, events published to Redis as Flask-SSE JSON.

          run --url http://127.0.0.1:PORT/sse/stream?channel=bench --redis 127.0.0.1:PORT [--pid PID]
              (--url and --pid repeat: connections go round-robin over the servers, RSS is summed)
          run --target sample|baseline|nchan [--servers K]  (starts K server processes on one Redis, and a
              redis-server unless --redis; nchan: one nginx from SseArea.Benchmarks/nchan/nginx.conf, published
              to over HTTP, --install-nchan true installs Debian's nginx and libnginx-mod-nchan when missing)
          compare [--targets sample,baseline,nchan] [--rounds R]   (round r: for each N, each target in turn;
              then the medians per target and N, and the ratios per N)
              [--before DIR]   (also target 'before': SampleSite built in the checkout DIR, an earlier
              version, so that before and after are measured in the same run, rounds alternated)
          chart --from FILE [FILE ...] --charts DIR   (the charts again, from saved summaries: a log's last line)
          heap PID [TOP] [--json]   (the managed objects reachable in a running .NET process, by type, or
              only the totals as JSON; root: ptrace)

        options: --connections N[,N...] (1000; a list runs every target at every N)
                 --events M paced events (300)  --rate R events/s (100)
                 --burst B unpaced events for throughput (1000; 0 skips)  --padding BYTES (0)
                 --channel NAME (bench)  --sources K loopback source addresses (auto: 1 per 25 000)
                 --first-source X (1: addresses 127.0.0.X, X+1, ...)
                 --ramp-concurrency C (200)  --ramp-timeout S (60)  --settle S (2)  --drain S (30)
                 --max-seconds S (170, the whole command)  --hold S keep all connections open S more seconds (0)
                 --repo DIR (found from the tool's location)
                 --charts DIR   write SVG charts of the results (throughput, idle memory, latency CDF)
                 --heap true    also walk the .NET servers' managed heaps (ClrMD; root) before and after the
                                ramp: reachable managed bytes per connection (null + the reason when it fails)
                 --server-env NAME=VALUE   (repeatable) set for every .NET server the tool starts
                 --target-env TARGET:NAME=VALUE   (repeatable) set for one target only, after --server-env
        Targets: sample, baseline, before, nchan, or one of them with a label, BASE+LABEL, to run the same
        server twice with different settings, e.g. workstation GC beside the default:
          compare --targets sample,sample+ws,baseline --target-env sample+ws:DOTNET_gcServer=0
        One process holds < 20 000 sockets (open files limit): beyond that run several tools, each
        on its own --channel, against the same servers.
        The last line printed is a JSON summary (also when --max-seconds stops the command: what was done).
        """;
}
