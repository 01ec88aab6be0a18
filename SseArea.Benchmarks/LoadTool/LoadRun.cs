using System.Diagnostics;
using System.Globalization;
using System.Net;
using SseArea.LoadTool.Heap;
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

    public async Task<RunResult> RunAsync(ServerUnderTest server, int connections, int round, CancellationToken cancellationToken, IBenchPublisher? publisher = null)
    {
        var (target, urls, serverPids) = (server.Target, server.Urls, server.Pids);
        using var redisPublisher = publisher is null ? BenchPublisher.Redis(redis, options.Channel, options.Padding) : null;
        publisher ??= redisPublisher!;
        var servers = urls.Select(url => (EndPoint: new IPEndPoint(IPAddress.Parse(url.Host), url.Port), Request: SseLoadClient.Request(url))).ToArray();
        using var phases = new LoadPhase();

        foreach (var (endPoint, request) in servers)
        {
            await ServerProbes.WarmUpAsync(endPoint, request, phases, publisher, cancellationToken);
        }

        await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        var rssBefore = ServerProbes.Rss(serverPids);
        var measureHeap = options.Heap && LoadOptions.IsDotnet(target);
        var heapBefore = measureHeap ? await MeasureHeapAsync("0 connections") : null;

        var sources = options.Sources > 0 ? options.Sources : Math.Max(1, (connections + 24_999) / 25_000);
        var clients = new List<SseLoadClient>(connections);
        var failed = 0;
        string? firstFailure = null;
        using var rampTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        rampTimeout.CancelAfter(options.RampTimeout);
        using var gate = new SemaphoreSlim(options.RampConcurrency);
        var rampStart = Stopwatch.GetTimestamp();
        var opening = new List<Task>(connections);
        for (var i = 0; i < connections; i++)
        {
            var source = IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"127.0.0.{options.FirstSource + (i % sources)}"));
            await gate.WaitAsync(cancellationToken);
            opening.Add(OpenOneAsync(source, servers[i % servers.Length]));
        }

        await Task.WhenAll(opening);
        var openSeconds = Stopwatch.GetElapsedTime(rampStart).TotalSeconds;
        log.WriteLine($"# {target}: {clients.Count} of {connections} connections open in {openSeconds:F2} s ({failed} failed{(firstFailure is null ? "" : ": " + firstFailure)})");

        try
        {
            await Task.Delay(options.Settle, cancellationToken);
            var rssAfter = ServerProbes.Rss(serverPids);
            double? perConnection = rssBefore is { } b && rssAfter is { } a && clients.Count > 0 ? (double)(a - b) / clients.Count : null;
            var (connectedClients, serverClients) = await ServerProbes.RedisClientsAsync(redis);
            log.WriteLine($"# {target}: server RSS {rssBefore} → {rssAfter} KiB ({perConnection:F1} KiB per connection); Redis connected_clients {connectedClients} ({serverClients} not the tool's)");

            var heap = heapBefore is not null ? HeapOf(heapBefore, await MeasureHeapAsync($"{clients.Count} connections"), clients.Count) : null;
            if (measureHeap)
            {
                await Task.Delay(options.Settle, cancellationToken); // the servers were suspended while read
            }

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

            return new RunResult(target, [.. urls.Select(u => u.ToString())], serverPids.Count, connections, clients.Count, failed, firstFailure, sources,
                Math.Round(openSeconds, 3), rssBefore, rssAfter, perConnection is { } x ? Math.Round(x, 2) : null,
                connectedClients, serverClients, paced, burst, clients.Count(c => c.Ended), clients.FirstOrDefault(c => c.Ended)?.EndReason,
                options.Hold.TotalSeconds, clients.Count(c => !c.Ended), round, heap, server.Environment, server.RuntimeConfig, ProcessFacts.ReadLoadAverage());
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        async Task<HeapMeasure> MeasureHeapAsync(string when)
        {
            var measure = await HeapProbe.MeasureAsync(serverPids, cancellationToken);
            log.WriteLine(measure.Error is null
                ? $"# {target}: {measure.Bytes:N0} managed bytes reachable ({measure.Objects:N0} objects) at {when}, read in {measure.Seconds} s"
                : $"# {target}: managed heap not read at {when}: {measure.Error}");
            return measure;
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
            var (serverCpu, toolCpu) = (ServerProbes.CpuTicks(serverPids), Environment.CpuUsage.TotalTime);
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

            double? serverUs = ServerProbes.CpuTicks(serverPids) - serverCpu is { } ticks && delivered > 0 ? Math.Round(ticks * 10_000.0 / delivered, 2) : null;
            double? toolUs = delivered > 0 ? Math.Round((Environment.CpuUsage.TotalTime - toolCpu).TotalMicroseconds / delivered, 2) : null;
            var last = listening.Count == 0 ? start : listening.Max(c => c.LastReceived);
            var seconds = Math.Max(1e-9, (last - start) / (double)Stopwatch.Frequency);
            using var recorder = phases.Next();
            var latency = LatencyResult.From(recorder.Merge());
            var result = new PhaseResult(events, Math.Round(events / Math.Max(publishSeconds, 1e-9), 1), expected, delivered,
                expected == 0 ? 0 : Math.Round(100.0 * Math.Max(0, expected - delivered) / expected, 4),
                Math.Round(seconds, 3), Math.Round(delivered / seconds), latency, serverUs, toolUs);
            log.WriteLine($"# {target} {name}: {delivered}/{expected} delivered in {seconds:F2} s = {result.DeliveredPerSecond:N0}/s; latency p50 {latency.P50Ms} p95 {latency.P95Ms} p99 {latency.P99Ms} max {latency.MaxMs} ms; CPU per delivered event: servers {serverUs} µs, load tool {toolUs} µs");
            return result;
        }
    }

    private static HeapResult HeapOf(HeapMeasure before, HeapMeasure after, int connections) => new(
        before.Bytes,
        after.Bytes,
        before.Bytes is { } b && after.Bytes is { } a && connections > 0 ? Math.Round((double)(a - b) / connections, 1) : null,
        after.Objects,
        after.ServerGc,
        after.GcHeaps,
        Math.Round(before.Seconds + after.Seconds, 2),
        before.Error ?? after.Error);
}

/// <summary>A target's running server processes and the settings they were started with.</summary>
internal sealed record ServerUnderTest(
    string Target,
    IReadOnlyList<Uri> Urls,
    IReadOnlyList<int> Pids,
    IReadOnlyDictionary<string, string>? Environment = null,
    IReadOnlyDictionary<string, string>? RuntimeConfig = null);
