using System.Text;
using SseArea.Internal.Fanout;
using SseArea.Internal.Redis;
using SseArea.Tests.Infrastructure;
using StackExchange.Redis;

namespace SseArea.Tests.Integration;

/// <summary>
/// The Redis history scripts against a real redis-server: where a stream starts and what it is told
/// its position is, when events are published while it subscribes.
/// </summary>
[CancelAfter(30_000)]
public sealed class RedisHistoryTests
{
    private const int History = 50;

    private IDatabase _database = null!;

    [OneTimeSetUp]
    public async Task FindRedisAsync() => _database = (await RedisTestServer.GetAsync()).Client.GetDatabase();

    [Test]
    public async Task EventPublishedWhileSubscribing_IsReplayed_AndThePositionStaysBeforeIt()
    {
        string a = Unique("a"), b = Unique("b");
        var seenOnA = await PublishAsync(a, "a1");
        var before = await RedisHistory.ReadPositionsAsync(_database, [a, b]);
        // Published after the positions were read: its live copy may still be in flight.
        var inFlight = await PublishAsync(b, "b1");

        var replay = await RedisHistory.ReadAsync(_database, [a, b], lastEventId: null, before, 1024, 1 << 21, (_, _) => { });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(replay.Cursor!, Is.EquivalentTo(new Dictionary<string, string?> { [a] = seenOnA, [b] = null }), "no position the client has not been sent");
            Assert.That(Data(replay.Frames), Is.EqualTo(new[] { "b1" }), "replayed, so nothing is lost if the connection drops");
            Assert.That(replay.Overlap.Select(f => f.Id), Is.EqualTo(new[] { inFlight }), "and its live copy is skipped");
        }
    }

    [Test]
    public async Task UnknownId_IsMissed_WithThePositionFromBeforeSubscribing_AndTheEventsAfterItReplayed()
    {
        var channel = Unique("missed");
        var old = await PublishAsync(channel, "old");
        var before = await RedisHistory.ReadPositionsAsync(_database, [channel]);
        await PublishAsync(channel, "in flight");

        var replay = await RedisHistory.ReadAsync(_database, [channel], "no-such-id", before, 1024, 1 << 21, (_, _) => { });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(replay.MissedChannels, Is.EqualTo(new[] { channel }));
            Assert.That(replay.Cursor![channel], Is.EqualTo(old));
            Assert.That(Data(replay.Frames), Is.EqualTo(new[] { "in flight" }));
            Assert.That(Data(replay.Overlap), Is.EqualTo(new[] { "in flight" }));
        }
    }

    [Test]
    public async Task KnownId_ReplaysFromIt_AndOnlyEventsAfterThePositionMayOverlap()
    {
        var channel = Unique("known");
        var seen = await PublishAsync(channel, "seen");
        await PublishAsync(channel, "missed", id: "order-2");
        var before = await RedisHistory.ReadPositionsAsync(_database, [channel]);
        await PublishAsync(channel, "in flight");

        var replay = await RedisHistory.ReadAsync(_database, [channel], seen, before, 1024, 1 << 21, (_, _) => { });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before[0].Key, Is.EqualTo("order-2"));
            Assert.That(replay.MissedChannels, Is.Empty);
            Assert.That(replay.Cursor![channel], Is.EqualTo(seen));
            Assert.That(Data(replay.Frames), Is.EqualTo(new[] { "missed", "in flight" }));
            Assert.That(Data(replay.Overlap), Is.EqualTo(new[] { "in flight" }));
        }
    }

    [Test]
    public async Task EachPublish_SetsTheHistoryToExpireADayLater()
    {
        var channel = Unique("expiry");
        await PublishAsync(channel, "x");

        var lifetime = await _database.KeyTimeToLiveAsync(RedisKeys.History(channel));

        Assert.That(lifetime, Is.Not.Null.And.GreaterThan(TimeSpan.FromHours(23)).And.LessThanOrEqualTo(TimeSpan.FromHours(24)));
    }

    private async Task<string> PublishAsync(string channel, string data, string? id = null)
    {
        await RedisHistory.PublishAsync(_database, channel, new SseMessage(data, id: id), History);
        return id ?? (string)(await _database.StreamRangeAsync(RedisKeys.History(channel), "-", "+", 1, Order.Descending))[0].Id!;
    }

    private static IEnumerable<string> Data(IEnumerable<SseArea.Internal.Wire.SseFrame> frames)
        => frames.Select(f => Encoding.UTF8.GetString(f.Bytes.Span).Split('\n')[0][5..]);

    private static string Unique(string name) => $"history.{name}.{Guid.NewGuid():N}";
    [Test]
    public async Task ReconnectToAChannelAnotherStreamFollows_WhileItsDispatchLags_GetsEachEventOnceInOrder()
    {
        Assert.That(RedisUrl.TryParse((await RedisTestServer.GetAsync()).Url, out var configuration, out var error), Is.True, error);
        var options = Microsoft.Extensions.Options.Options.Create(new SseOptions { HistoryLength = 1000, Redis = { Configuration = configuration } });
        await using var broker = new RedisSseBroker(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisSseBroker>.Instance);
        await broker.StartAsync(default);
        var channel = Unique("shared");
        // The process already follows the channel, and its delivery is held at the first event
        // until the second stream has subscribed: every later event reaches that stream live too.
        using var gated = new GatedListener();
        await using var first = await broker.SubscribeAsync([channel], gated, null, default);
        for (var i = 1; i <= 40; i++)
        {
            await broker.PublishAsync(channel, new SseMessage("d" + i), default);
        }

        var tenth = (await _database.StreamRangeAsync(RedisKeys.History(channel), count: 10))[^1].Id.ToString();
        using var streams = new SseArea.Tests.Unit.TestStreams(TimeSpan.Zero);
        var connection = streams.Connection(1024);
        await using var second = await broker.SubscribeAsync([channel], connection, tenth, default);
        connection.Resume(second.Replay, [channel]);
        gated.Gate.Set();
        // Published after every held event: once it is written, every live copy before it was handled.
        await broker.PublishAsync(channel, new SseMessage("d41"), default);
        var text = await ReadUntilAsync(connection, "data:d41\n");

        var events = text.Split("\n\n").Where(block => !block.StartsWith("event:sse-position", StringComparison.Ordinal));
        var data = events.SelectMany(block => block.Split('\n')).Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..]).ToList();
        Assert.That(data, Is.EqualTo(Enumerable.Range(11, 31).Select(i => "d" + i)), "no duplicate, no gap, in order: " + text);
    }

    /// <summary>A listener that holds the channel's delivery at its first frame until released: a lagging dispatch.</summary>
    private sealed class GatedListener : ISseListener, IDisposable
    {
        public ManualResetEventSlim Gate { get; } = new(false);

        public bool TryWrite(SseArea.Internal.Wire.SseFrame frame) => Gate.Wait(TimeSpan.FromSeconds(10));

        public void Dispose() => Gate.Dispose();
    }

    /// <summary>Pumps <paramref name="connection"/> until its output holds <paramref name="marker"/> (10 s at most).</summary>
    private static async Task<string> ReadUntilAsync(SseArea.Internal.Delivery.SseConnection connection, string marker)
    {
        var pipe = new System.IO.Pipelines.Pipe();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var pump = connection.PumpAsync(pipe.Writer, stop.Token);
        var text = new StringBuilder();
        try
        {
            while (!text.ToString().Contains(marker, StringComparison.Ordinal))
            {
                var read = await pipe.Reader.ReadAsync(stop.Token);
                foreach (var segment in read.Buffer)
                {
                    text.Append(Encoding.UTF8.GetString(segment.Span));
                }

                pipe.Reader.AdvanceTo(read.Buffer.End);
            }
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await pump;
            }
            catch (OperationCanceledException)
            {
            }
        }

        return text.ToString();
    }
}
