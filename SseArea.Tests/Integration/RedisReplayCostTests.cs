using System.Globalization;
using SseArea.Internal.Redis;
using SseArea.Internal.Wire;
using SseArea.Tests.Infrastructure;
using StackExchange.Redis;

namespace SseArea.Tests.Integration;

/// <summary>
/// A replay costs Redis what it returns (issue 15, finding 2): it is read no further than the stream may hold, the
/// channels of one stream share that budget, and a client's id is found without reading the history. Measured on a
/// redis-server of the test's own, by what Redis reports it sent and spent (<c>INFO</c>).
/// </summary>
[CancelAfter(120_000)]
public sealed class RedisReplayCostTests
{
    private static readonly string Fourteen = new('x', 14 * 1024);

    private OwnRedisServer _redis = null!;
    private IDatabase _database = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync()
    {
        _redis = await OwnRedisServer.StartAsync();
        _database = _redis.Client.GetDatabase();
    }

    [OneTimeTearDown]
    public async Task StopRedisAsync() => await _redis.DisposeAsync();

    [Test]
    public async Task AReplayLongerThanTheBudget_IsMissed_AndRedisSendsAlmostNothing()
    {
        var channel = Unique("long");
        var first = await PublishAsync(channel, Fourteen, history: 500);
        for (var i = 1; i < 200; i++)
        {
            await PublishAsync(channel, Fourteen, history: 500);
        }

        var before = await RedisHistory.ReadPositionsAsync(_database, [channel]);
        var sent = await RedisOutputBytesAsync();
        var replay = await RedisHistory.ReadAsync(_database, [channel], first, before, maxEvents: 1024, maxBytes: 256 * 1024, (_, _) => { });
        sent = await RedisOutputBytesAsync() - sent;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(replay.MissedChannels, Is.EqualTo(new[] { channel }), "2.8 MB of missed events do not fit 256 KiB");
            Assert.That(replay.Frames, Is.Empty);
            Assert.That(replay.Cursor![channel], Is.EqualTo(before[0].Key), "the client is told where it stands now");
            Assert.That(sent, Is.LessThan(16 * 1024), $"Redis sent {sent} bytes for a replay it could not give (it read all 2.8 MB before)");
        }
    }

    [Test]
    public async Task AReplayLongerThanTheEventCount_IsMissed_WithoutBeingSent()
    {
        var channel = Unique("count");
        var first = await PublishAsync(channel, "0", history: 5_000);
        var batch = _database.CreateBatch();
        var publishes = Enumerable.Range(1, 2_000).Select(i => RedisHistory.PublishAsync(batch, channel, new SseMessage(i.ToString(CultureInfo.InvariantCulture)), 5_000)).ToList();
        batch.Execute();
        await Task.WhenAll(publishes);

        var before = await RedisHistory.ReadPositionsAsync(_database, [channel]);
        var sent = await RedisOutputBytesAsync();
        var replay = await RedisHistory.ReadAsync(_database, [channel], first, before, maxEvents: 100, maxBytes: 1 << 21, (_, _) => { });
        sent = await RedisOutputBytesAsync() - sent;

        Assert.That(replay.MissedChannels, Is.EqualTo(new[] { channel }));
        Assert.That(sent, Is.LessThan(4 * 1024), "2 000 missed events are not sent to be counted");
    }

    [Test]
    public async Task SixteenChannels_ShareOneBudget_TheFirstThatDoesNotFitAndTheRestAreMissed()
    {
        var channels = Enumerable.Range(0, 16).Select(i => Unique($"c{i:00}")).ToList();
        foreach (var channel in channels)
        {
            for (var i = 0; i < 10; i++)
            {
                await PublishAsync(channel, Fourteen, history: 100);
            }
        }

        var before = await RedisHistory.ReadPositionsAsync(_database, channels);
        var everything = SseCursor.Encode(new string?[channels.Count]); // every channel from its start
        var sent = await RedisOutputBytesAsync();
        var replay = await RedisHistory.ReadAsync(_database, channels, everything, before, maxEvents: 1024, maxBytes: 512 * 1024, (_, _) => { });
        sent = await RedisOutputBytesAsync() - sent;

        using (Assert.EnterMultipleScope())
        {
            // 10 × 14 KB a channel: three channels fit 512 KiB, the fourth does not.
            Assert.That(replay.Frames.Select(f => f.Channel).Distinct(), Is.EqualTo(channels.Take(3)));
            Assert.That(replay.Frames, Has.Count.EqualTo(30));
            Assert.That(replay.MissedChannels, Is.EqualTo(channels.Skip(3)));
            Assert.That(sent, Is.LessThan(512 * 1024), $"Redis sent {sent} bytes (all 16 channels, 2.3 MB, before)");
        }
    }

    [Test]
    public async Task APublishersId_IsFoundThroughTheIndex_AndAnUnknownOneCostsRedisNoScan()
    {
        const int History = 20_000;
        var channel = Unique("ids");
        var batch = _database.CreateBatch();
        var publishes = Enumerable.Range(0, History).Select(i => RedisHistory.PublishAsync(batch, channel, new SseMessage("e", id: $"order-{i}"), History)).ToList();
        batch.Execute();
        await Task.WhenAll(publishes);
        var before = await RedisHistory.ReadPositionsAsync(_database, [channel]);

        var known = await RedisHistory.ReadAsync(_database, [channel], $"order-{History - 4}", before, 1024, 1 << 21, (_, _) => { });
        await _redis.Client.GetServer(_redis.Client.GetEndPoints()[0]).ExecuteAsync("CONFIG", "RESETSTAT");
        for (var i = 0; i < 20; i++)
        {
            await RedisHistory.ReadAsync(_database, [channel], $"no-such-id-{i}", before, 1024, 1 << 21, (_, _) => { });
        }

        var perCall = await ScriptMicrosecondsPerCallAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(known.Frames.Select(f => f.Id), Is.EqualTo(new[] { $"order-{History - 3}", $"order-{History - 2}", $"order-{History - 1}" }));
            Assert.That(perCall, Is.LessThan(2_000), $"an unknown id cost Redis {perCall} µs (a scan of {History} entries took tens of ms before)");
        }
    }

    [Test]
    public async Task TheIdIndex_ForgetsTrimmedIds_AndKeepsOneANewerEventReused()
    {
        var channel = Unique("trim");
        await PublishAsync(channel, "x", history: 3, id: "dup");
        await PublishAsync(channel, "y", history: 3, id: "k1");
        await PublishAsync(channel, "z", history: 3, id: "dup");
        await PublishAsync(channel, "w", history: 3);
        await PublishAsync(channel, "v", history: 3);
        var before = await RedisHistory.ReadPositionsAsync(_database, [channel]);

        var fromDup = await RedisHistory.ReadAsync(_database, [channel], "dup", before, 1024, 1 << 21, (_, _) => { });
        var fromTrimmed = await RedisHistory.ReadAsync(_database, [channel], "k1", before, 1024, 1 << 21, (_, _) => { });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _database.HashKeysAsync(RedisKeys.Ids(channel)), Is.EqualTo(new RedisValue[] { "dup" }), "y's id left with y; z's kept though x (the first dup) was trimmed");
            Assert.That(fromDup.Frames.Select(f => Data(f)), Is.EqualTo(new[] { "w", "v" }));
            Assert.That(fromTrimmed.MissedChannels, Is.EqualTo(new[] { channel }));
            Assert.That(await _database.KeyTimeToLiveAsync(RedisKeys.Ids(channel)), Is.GreaterThan(TimeSpan.FromHours(23)), "the index expires with the history");
        }
    }

    private async Task<string> PublishAsync(string channel, string data, int history, string? id = null)
    {
        await RedisHistory.PublishAsync(_database, channel, new SseMessage(data, id: id), history);
        return id ?? (await RedisHistory.ReadPositionsAsync(_database, [channel]))[0].EntryId!;
    }

    private async Task<long> RedisOutputBytesAsync()
    {
        var info = await _redis.Client.GetServer(_redis.Client.GetEndPoints()[0]).InfoAsync("stats");
        return long.Parse(info.SelectMany(g => g).Single(p => p.Key == "total_net_output_bytes").Value, CultureInfo.InvariantCulture);
    }

    /// <summary>Redis's own time per script call since the last RESETSTAT (EVAL and EVALSHA together).</summary>
    private async Task<double> ScriptMicrosecondsPerCallAsync()
    {
        var info = await _redis.Client.GetServer(_redis.Client.GetEndPoints()[0]).InfoAsync("commandstats");
        double usec = 0, calls = 0;
        foreach (var stat in info.SelectMany(g => g).Where(p => p.Key is "cmdstat_eval" or "cmdstat_evalsha"))
        {
            var fields = stat.Value.Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => double.Parse(f[1], CultureInfo.InvariantCulture));
            usec += fields["usec"];
            calls += fields["calls"];
        }

        return usec / calls;
    }

    private static string Data(SseFrame frame) => System.Text.Encoding.UTF8.GetString(frame.Bytes.Span).Split('\n').Single(l => l.StartsWith("data:", StringComparison.Ordinal))[5..];

    private static string Unique(string name) => $"cost.{name}.{Guid.NewGuid():N}";
}
