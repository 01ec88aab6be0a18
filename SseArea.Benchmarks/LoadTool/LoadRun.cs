using System.Diagnostics;
using System.Globalization;
using System.Net;
using StackExchange.Redis;

namespace SseArea.LoadTool;

/// <summary>
/// One run against one server: warm up, open N connections in batches, read memory and Redis
/// clients, publish a paced phase (latency) and a burst (throughput), close everything.
/// Every wait has a deadline.
/// </summary>
internal sealed class LoadRun(LoadOptions options, IConnectionMultiplexer redis, TextWriter log)
{
    public const string ToolClientName = "SseArea.LoadTool";

    public async Task<RunResult> RunAsync(string target, IReadOnlyList<Uri> urls, IReadOnlyList<int> serverPids, CancellationToken cancellationToken, IBenchPublisher? publisher = null)
    {
        using var redisPublisher = publisher is null ? BenchPublisher.Redis(redis, options.Channel, options.Padding) : null;
        publisher ??= redisPublisher!;
        var servers = urls.Select(url => (EndPoint: new IPEndPoint(IPAddress.Parse(url.Host), url.Port), Request: SseLoadClient.Request(url))).ToArray();
        using var phases = new LoadPhase();

        foreach (var (endPoint, request) in servers)
        {
            await WarmUpAsync(endPoint, request, phases, publisher, cancellationToken);
        }

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var rssBefore = Rss(serverPids);

        var sources = options.Sources > 0 ? options.Sources : Math.Max(1, (options.Connections + 24_999) / 25_000);
        var clients = new List<SseLoadClient>(options.Connections);
        var failed = 0;
        string? firstFailure = null;
        using var rampTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        rampTimeout.CancelAfter(options.RampTimeout);
        using var gate = new SemaphoreSlim(options.RampConcurrency);
        var rampStart = Stopwatch.GetTimestamp();
        var opening = new List<Task>(options.Connections);
        for (var i = 0; i < options.Connections; i++)
        {
            var source = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.0.0.{options.FirstSource + (i % sources)}"));
            await gate.WaitAsync(cancellationToken);
            opening.Add(OpenOneAsync(source, servers[i % servers.Length]));
        }

        await Task.WhenAll(opening);
        var openSeconds = Stopwatch.GetElapsedTime(rampStart).TotalSeconds;
        log.WriteLine($"# {target}: {clients.Count} of {options.Connections} connections open in {openSeconds:F2} s ({failed} failed{(firstFailure is null ? "" : ": " + firstFailure)})");

        try
        {
            await Task.Delay(options.Settle, cancellationToken);
            var rssAfter = Rss(serverPids);
            double? perConnection = rssBefore is { } b && rssAfter is { } a && clients.Count > 0 ? (double)(a - b) / clients.Count : null;
            var (connectedClients, serverClients) = await RedisClientsAsync();
            log.WriteLine($"# {target}: server RSS {rssBefore} → {rssAfter} KiB ({perConnection:F1} KiB per connection); Redis connected_clients {connectedClients} ({serverClients} not the tool's)");

            PhaseResult? paced = null, burst = null;
            if (options.Events > 0)
            {
                paced = await PhaseAsync("paced", options.Events, options.Rate);
            }

            if (options.Burst > 0)
            {
                burst = await PhaseAsync("burst", options.Burst, 0);
            }

            var openBeforeHold = clients.Count(c => !c.Ended);
            if (options.Hold > TimeSpan.Zero)
            {
                await Task.Delay(options.Hold, cancellationToken);
                log.WriteLine($"# {target}: {clients.Count(c => !c.Ended)} of {openBeforeHold} connections still open after holding {options.Hold.TotalSeconds} s");
            }

            return new RunResult(target, [.. urls.Select(u => u.ToString())], serverPids.Count, options.Connections, clients.Count, failed, firstFailure, sources,
                Math.Round(openSeconds, 3), rssBefore, rssAfter, perConnection is { } x ? Math.Round(x, 2) : null,
                connectedClients, serverClients, paced, burst, clients.Count(c => c.Ended), clients.FirstOrDefault(c => c.Ended)?.EndReason,
                options.Hold.TotalSeconds, clients.Count(c => !c.Ended));
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        async Task OpenOneAsync(IPAddress source, (IPEndPoint EndPoint, byte[] Request) server)
        {
            var client = new SseLoadClient(phases);
            try
            {
                var status = await client.OpenAsync(source, server.EndPoint, server.Request, rampTimeout.Token, cancellationToken);
                if (status == 200)
                {
                    lock (clients)
                    {
                        clients.Add(client);
                    }

                    return;
                }

                Fail($"HTTP {status}");
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or OperationCanceledException or InvalidDataException)
            {
                Fail($"{e.GetType().Name}: {e.Message}");
            }
            finally
            {
                gate.Release();
            }

            client.Dispose();

            void Fail(string reason)
            {
                lock (clients)
                {
                    failed++;
                    firstFailure ??= reason;
                }
            }
        }

        async Task<PhaseResult> PhaseAsync(string name, int events, double rate)
        {
            phases.Next().Dispose();
            var listening = clients.Where(c => !c.Ended).ToList();
            var deliveredBefore = listening.Sum(c => (long)c.Delivered);
            var expected = (long)listening.Count * events;
            var start = Stopwatch.GetTimestamp();
            if (rate > 0)
            {
                var interval = Stopwatch.Frequency / rate;
                for (var i = 0; i < events; i++)
                {
                    var due = start + (long)(i * interval);
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(wait, cancellationToken);
                    }

                    await publisher.PublishAsync(i, Stopwatch.GetTimestamp());
                }
            }
            else
            {
                var sends = new Task[events];
                for (var i = 0; i < events; i++)
                {
                    sends[i] = publisher.PublishAsync(i, Stopwatch.GetTimestamp());
                }

                await Task.WhenAll(sends);
            }

            var publishSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var drainDeadline = Stopwatch.GetTimestamp() + (long)(options.Drain.TotalSeconds * Stopwatch.Frequency);
            long delivered;
            while ((delivered = listening.Sum(c => (long)c.Delivered) - deliveredBefore) < expected
                && Stopwatch.GetTimestamp() < drainDeadline
                && listening.Any(c => !c.Ended))
            {
                await Task.Delay(20, cancellationToken);
            }

            var last = listening.Count == 0 ? start : listening.Max(c => c.LastReceived);
            var seconds = Math.Max(1e-9, (last - start) / (double)Stopwatch.Frequency);
            using var recorder = phases.Next();
            var latency = LatencyResult.From(recorder.Merge());
            var result = new PhaseResult(events, Math.Round(events / Math.Max(publishSeconds, 1e-9), 1), expected, delivered,
                expected == 0 ? 0 : Math.Round(100.0 * Math.Max(0, expected - delivered) / expected, 4),
                Math.Round(seconds, 3), Math.Round(delivered / seconds), latency);
            log.WriteLine($"# {target} {name}: {delivered}/{expected} delivered in {seconds:F2} s = {result.DeliveredPerSecond:N0}/s; latency p50 {latency.P50Ms} p95 {latency.P95Ms} p99 {latency.P99Ms} max {latency.MaxMs} ms");
            return result;
        }

        async Task<(long? Total, long? Others)> RedisClientsAsync()
        {
            var endpoint = redis.GetEndPoints()[0];
            var redisServer = redis.GetServer(endpoint);
            var info = await redisServer.InfoRawAsync("clients");
            var total = info is null ? null : ProcessFacts.ParseRedisInfo(info, "connected_clients");
            var list = await redisServer.ClientListAsync();
            return (total, list.Count(c => c.Name != ToolClientName));
        }
    }

    /// <summary>The servers' resident set sizes added up, in KiB; null without pids or when one is gone.</summary>
    private static long? Rss(IReadOnlyList<int> pids)
    {
        long total = 0;
        foreach (var pid in pids)
        {
            if (ProcessFacts.ReadVmRssKiB(pid) is not { } kib)
            {
                return null;
            }

            total += kib;
        }

        return pids.Count == 0 ? null : total;
    }

    /// <summary>One connection until it gets events: the server is up, subscribed to Redis, and its code paths are warm.</summary>
    private static async Task WarmUpAsync(IPEndPoint server, byte[] request, LoadPhase phases, IBenchPublisher publisher, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var client = new SseLoadClient(phases);
            int status;
            try
            {
                status = await client.OpenAsync(IPAddress.Loopback, server, request, timeout.Token, timeout.Token);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException && !timeout.IsCancellationRequested)
            {
                status = 0;
            }

            if (status != 200)
            {
                await Task.Delay(200, timeout.Token); // e.g. 503 while the server is still connecting to Redis
                continue;
            }

            for (var i = 0; client.Delivered < 200; i++)
            {
                await publisher.PublishAsync(i, Stopwatch.GetTimestamp());
                await Task.Delay(client.Delivered == 0 ? 50 : 1, timeout.Token);
            }

            return;
        }
    }
}
