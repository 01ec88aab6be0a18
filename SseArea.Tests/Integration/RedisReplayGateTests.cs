using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// Replays are read a few at a time (<c>Sse:MaxConcurrentReplays</c>): seen from Redis itself, through <c>MONITOR</c>,
/// one stream's reads are never interleaved with another's when the limit is one.
/// </summary>
[CancelAfter(60_000)]
public sealed partial class RedisReplayGateTests
{
    [Test]
    public async Task WithOneReplayAtATime_EachStreamsReadsReachRedisTogether_AndEveryStreamGetsItsReplay()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await using var site = await TestSite.StartAsync(new TestSiteOptions
        {
            Settings = { [TestSettings.RedisUrl] = redis.Url, [TestSettings.HistoryLength] = "100", [TestSettings.MaxConcurrentReplays] = "1" },
        });
        var streams = Enumerable.Range(0, 6).Select(s => Enumerable.Range(0, 4).Select(c => $"gate.{s}.{c}").ToList()).ToList();
        foreach (var channel in streams.SelectMany(s => s))
        {
            await site.Publisher.PublishAsync($"in {channel}", channel: channel);
        }

        using var monitor = await RedisMonitor.StartAsync(redis.Port);
        var client = site.CreateClient();
        var opened = await Task.WhenAll(streams.Select(channels => SseTestStream.OpenAsync(
            client,
            "/sse/stream?" + string.Join('&', channels.Select(c => $"channel={c}")),
            headers => headers.Add("Last-Event-ID", ",,,")))); // every channel from its start
        try
        {
            foreach (var (stream, channels) in opened.Zip(streams))
            {
                var replayed = new List<string>();
                for (var i = 0; i < channels.Count; i++)
                {
                    replayed.Add((await stream.ReadEventAsync()).Split('\n').Single(l => l.StartsWith("data:", StringComparison.Ordinal)));
                }

                Assert.That(replayed, Is.EquivalentTo(channels.Select(c => $"data:in {c}")));
            }
        }
        finally
        {
            foreach (var stream in opened)
            {
                await stream.DisposeAsync();
            }
        }

        // Each replay read names its channel's history key and asks to 'read' from the client's position.
        var order = await Eventually.AcceptedAsync(
            () => Task.FromResult(monitor.Lines.Where(l => l.Contains("\"read\"", StringComparison.Ordinal))
                .Select(l => int.Parse(HistoryKey().Match(l).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList()),
            reads => reads.Count == 24,
            "the 24 replay reads in MONITOR");
        Assert.That(order.Chunk(4).Select(reads => reads.Distinct().Count()), Is.All.EqualTo(1), $"one stream's four reads, then the next's: {string.Join(' ', order)}");
    }

    [GeneratedRegex(@"sse:\{gate\.(\d+)\.\d+\}:history")]
    private static partial Regex HistoryKey();

    /// <summary>Redis's <c>MONITOR</c> on a connection of its own: every command the server runs, as it runs it.</summary>
    private sealed class RedisMonitor : IDisposable
    {
        private readonly TcpClient _client = new();
        private readonly ConcurrentQueue<string> _lines = new();
        private Task _reading = Task.CompletedTask;

        public IEnumerable<string> Lines => _lines;

        public static async Task<RedisMonitor> StartAsync(int port)
        {
            var monitor = new RedisMonitor();
            await monitor._client.ConnectAsync(System.Net.IPAddress.Loopback, port);
            var stream = monitor._client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes("MONITOR\r\n"));
            var reader = new StreamReader(stream, Encoding.UTF8);
            Assert.That(await reader.ReadLineAsync(), Is.EqualTo("+OK"));
            monitor._reading = Task.Run(async () =>
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    monitor._lines.Enqueue(line);
                }
            });
            return monitor;
        }

        public void Dispose() => _client.Dispose();
    }
}
