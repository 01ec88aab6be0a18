using System.Diagnostics;
using System.Net;
using StackExchange.Redis;

namespace SseArea.LoadTool;

/// <summary>What a run reads from the servers and Redis, and the warm-up before it counts anything.</summary>
internal static class ServerProbes
{
    /// <summary>Redis <c>connected_clients</c>, and how many clients are not the tool's own connection.</summary>
    public static async Task<(long? Total, long? Others)> RedisClientsAsync(IConnectionMultiplexer redis)
    {
        var endpoint = redis.GetEndPoints()[0];
        var redisServer = redis.GetServer(endpoint);
        var info = await redisServer.InfoRawAsync("clients");
        var total = info is null ? null : ProcessFacts.ParseRedisInfo(info, "connected_clients");
        var list = await redisServer.ClientListAsync();
        return (total, list.Count(c => c.Name != LoadRun.ToolClientName));
    }

    /// <summary>The servers' resident set sizes added up, in KiB; null without pids or when one is gone.</summary>
    public static long? Rss(IReadOnlyList<int> pids) => Sum(pids, ProcessFacts.ReadVmRssKiB);

    /// <summary>The servers' CPU time added up, in ticks of 10 ms; null without pids or when one is gone.</summary>
    public static long? CpuTicks(IReadOnlyList<int> pids) => Sum(pids, ProcessFacts.ReadCpuTicks);

    private static long? Sum(IReadOnlyList<int> pids, Func<int, long?> read)
    {
        long total = 0;
        foreach (var pid in pids)
        {
            if (read(pid) is not { } value)
            {
                return null;
            }

            total += value;
        }

        return pids.Count == 0 ? null : total;
    }

    /// <summary>One connection until it gets events: the server is up, subscribed to Redis, and its code paths are warm.</summary>
    public static async Task WarmUpAsync(IPEndPoint server, byte[] request, LoadPhase phases, IBenchPublisher publisher, CancellationToken cancellationToken)
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
