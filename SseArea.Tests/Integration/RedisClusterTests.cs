using SseArea.Internal.Redis;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// The test host on a real three-master Redis Cluster with sharded pub/sub and history on: delivery
/// through several shards, isolation, replay, subscriber counts, SSUBSCRIBE, and Flask-SSE payloads.
/// </summary>
[CancelAfter(60_000)]
public sealed class RedisClusterTests
{
    private RedisClusterTestServer _cluster = null!;
    private TestSite<TestHost.Program> _site = null!;
    private HttpClient _http = null!;
    private ISsePublisher _publisher = null!;

    [OneTimeSetUp]
    public async Task StartSiteAsync()
    {
        _cluster = await RedisClusterTestServer.GetAsync();
        _site = await StartOnClusterAsync(sharded: true);
        _http = _site.Http;
        _publisher = _site.Publisher;
    }

    [OneTimeTearDown]
    public async Task StopSiteAsync()
    {
        if (_site is not null)
        {
            await _site.DisposeAsync();
        }
    }

    [Test]
    public async Task ChannelsChosenForTheseTests_LiveOnThreeDifferentMasters()
    {
        var channels = await _cluster.ChannelsOnEveryMasterAsync(Unique("spread"));
        var masters = new List<int>();
        foreach (var channel in channels)
        {
            masters.Add(await _cluster.MasterOfAsync(channel));
        }

        Assert.That(masters, Is.Unique.And.Count.EqualTo(3));
    }

    [Test]
    public async Task Event_ReachesTheStreamsOfChannelsOnEveryMaster_AndOnlyThose()
    {
        var channels = await _cluster.ChannelsOnEveryMasterAsync(Unique("delivery"));
        var streams = new List<SseTestStream>();
        try
        {
            foreach (var channel in channels)
            {
                streams.Add(await SseTestStream.OpenAsync(_http, "/sse/stream?channel=" + channel));
            }

            // Every channel's event first, then each channel's last one: anything that leaked from
            // another channel would arrive before that last event (it was published earlier).
            for (var i = 0; i < channels.Length; i++)
            {
                Assert.That(await _publisher.PublishAsync("event of " + channels[i], channel: channels[i]), Is.EqualTo(1), "one SSUBSCRIBE on the shard: this server");
            }

            foreach (var channel in channels)
            {
                await _publisher.PublishAsync("end", channel: channel);
            }

            for (var i = 0; i < channels.Length; i++)
            {
                Assert.That(await DataAsync(streams[i], 2), Is.EqualTo(new[] { "event of " + channels[i], "end" }), $"stream of {channels[i]}");
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task Stream_HoldsOneShardSubscription_OnTheOwningMaster_WhileOpen()
    {
        var channel = Unique("ssubscribe");
        await using (var first = await SseTestStream.OpenAsync(_http, "/sse/stream?channel=" + channel))
        await using (var second = await SseTestStream.OpenAsync(_http, "/sse/stream?channel=" + channel))
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(await _cluster.ShardNumSubAsync(channel), Is.EqualTo(1), "one SSUBSCRIBE per channel per process, on the master of its slot");
                Assert.That(await _cluster.NumSubAsync(channel), Is.Zero, "no plain SUBSCRIBE anywhere");
            }
        }

        await Eventually.HoldsAsync(async () => await _cluster.ShardNumSubAsync(channel) == 0, "the last stream's leaving ended the SSUBSCRIBE");
    }

    [Test]
    public async Task Reconnect_WithLastEventId_ReplaysWhatItMissed_OnChannelsOfDifferentMasters()
    {
        var channels = await _cluster.ChannelsOnEveryMasterAsync(Unique("replay"));
        string a = channels[0], b = channels[1];
        var url = $"/sse/stream?channel={a}&channel={b}";
        string seen;
        await using (var first = await SseTestStream.OpenAsync(_http, url))
        {
            await _publisher.PublishAsync("a1", channel: a);
            seen = IdOf(await first.ReadEventAsync());
        }

        // Published in channel order: on a cluster, events of different channels replay by entry id
        // (the shards' clocks), ties in the order the request names the channels.
        await _publisher.PublishAsync("a2", channel: a);
        await _publisher.PublishAsync("b1", channel: b);
        await using var second = await SseTestStream.OpenAsync(_http, url, h => h.Add("Last-Event-ID", seen));
        await _publisher.PublishAsync("b2", channel: b);

        Assert.That(await DataAsync(second, 3), Is.EqualTo(new[] { "a2", "b1", "b2" }), "the missed events, then live ones");
    }

    [Test]
    public async Task SubscriberCounts_AddUpOnTheCluster_AndTheCountsKeyLivesInTheChannelsSlot()
    {
        var channel = Unique("count") + "{counts}";
        var stats = _site.Stats;
        await using var first = await SseTestStream.OpenAsync(_http, "/sse/stream?channel=" + channel);
        await using var second = await SseTestStream.OpenAsync(_http, "/sse/stream?channel=" + channel);

        // A second server on the same cluster: its count is read from Redis.
        await using var other = await StartOnClusterAsync(sharded: true);
        await using var third = await SseTestStream.OpenAsync(other.Http, "/sse/stream?channel=" + channel);

        await Eventually.HoldsAsync(async () => await stats.CountSubscribersAsync(channel) == 3, "the count is three: two here, one on the other server");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RedisHashSlot.Of((string)RedisKeys.Subscribers(channel)!), Is.EqualTo(RedisHashSlot.Of(channel)));
            Assert.That(await _cluster.ShardNumSubAsync(channel), Is.EqualTo(2), "one SSUBSCRIBE per server");
        }
    }

    [TestCase("{\"data\": \"thing\", \"type\": \"example\"}", "event:example\ndata:thing\n\n")]
    [TestCase("{\"data\": {\"message\": \"Hello!\"}, \"type\": \"greeting\", \"id\": 5}", "event:greeting\ndata:{\"message\": \"Hello!\"}\nid:5\n\n")]
    public async Task FlaskSsePayload_SPublishedByAPlainClient_ArrivesAsTheExactEventText(string payload, string expected)
    {
        var channel = Unique("from.python");
        await using var stream = await SseTestStream.OpenAsync(_http, "/sse/stream?channel=" + channel);

        var receivers = await _cluster.SPublishRawAsync(channel, payload);

        Assert.That(receivers, Is.EqualTo(1), "one shard subscriber: this server");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo(expected));
    }

    [Test]
    public async Task ChannelWithAHashTag_KeepsItsHistoryInItsSlot_AndReplays()
    {
        var channel = "room{" + Guid.NewGuid().ToString("N") + "}.chat";
        string seen;
        await using (var first = await SseTestStream.OpenAsync(_http, "/sse/stream?channel=" + Uri.EscapeDataString(channel)))
        {
            await _publisher.PublishAsync("one", channel: channel);
            seen = IdOf(await first.ReadEventAsync());
        }

        await _publisher.PublishAsync("two", channel: channel);
        await using var second = await SseTestStream.OpenAsync(_http, "/sse/stream?channel=" + Uri.EscapeDataString(channel), h => h.Add("Last-Event-ID", seen));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await DataAsync(second, 1), Is.EqualTo(new[] { "two" }));
            Assert.That(RedisHashSlot.Of((string)RedisKeys.History(channel)!), Is.EqualTo(RedisHashSlot.Of(channel)));
        }
    }

    [Test]
    public async Task ChannelWhoseHashedPartHoldsAClosingBrace_IsRefusedForPublishing_NamingTheWayOut()
    {
        var channel = "odd}" + Guid.NewGuid().ToString("N");

        var refused = Assert.ThrowsAsync<ArgumentException>(() => _publisher.PublishAsync("x", channel: channel));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused!.ParamName, Is.EqualTo("channel"));
            Assert.That(refused.Message, Does.Contain("'}'").And.Contain(TestSettings.RedisShardedPubSub));
            Assert.That(await _cluster.Client.GetDatabase().KeyExistsAsync(RedisKeys.History(channel)), Is.False, "nothing was written");
        }
    }

    [Test]
    public async Task Publish_ToAChannelWhoseShardDoesNotAnswer_ThrowsSseBrokerException()
    {
        // The seed nodes as a StackExchange.Redis configuration string, with a short command timeout.
        var settings = string.Join(',', _cluster.Ports.Select(p => "127.0.0.1:" + p.ToString(System.Globalization.CultureInfo.InvariantCulture))) + ",asyncTimeout=300";
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.RedisUrl] = settings,
            [TestSettings.RedisShardedPubSub] = "true",
            [TestSettings.HistoryLength] = "100",
        });
        var publisher = site.Publisher;
        var channel = Unique("stalled");
        // The first publish connects and loads the script; on a busy machine it may outlast 300 ms.
        await Eventually.HoldsAsync(
            async () =>
            {
                try
                {
                    await publisher.PublishAsync("reaches the shard", channel: channel);
                    return true;
                }
                catch (SseBrokerException)
                {
                    return false;
                }
            },
            "a first publish reached the shard");
        var master = _cluster.Client.GetServer(System.Net.IPAddress.Loopback, await _cluster.MasterOfAsync(channel));

        // The owning master takes no writes for 3 s (it ends by itself: an unpause would wait too);
        // StackExchange.Redis notices a timed-out command at its next heartbeat (about every second).
        await master.ExecuteAsync("CLIENT", "PAUSE", "3000", "WRITE");
        var failed = Assert.ThrowsAsync<SseBrokerException>(() => publisher.PublishAsync("stalled", channel: channel));
        // A write in the same slot: it goes through once the master takes writes again, leaving the cluster as it was.
        await _cluster.Client.GetDatabase().StringSetAsync("probe:" + (string)RedisKeys.History(channel)!, "1", TimeSpan.FromSeconds(10));

        Assert.That(failed!.Message, Does.Contain(channel).And.Contain("Could not publish"));
    }

    [Test]
    public async Task WithoutShardedPubSub_TheClusterStillDeliversAndReplays_OverPlainPublish()
    {
        await using var site = await StartOnClusterAsync(sharded: false);
        var http = site.Http;
        var publisher = site.Publisher;
        var channels = await _cluster.ChannelsOnEveryMasterAsync(Unique("plain"));
        var url = "/sse/stream?" + string.Join('&', channels.Select(c => "channel=" + c));
        string seen;
        await using (var first = await SseTestStream.OpenAsync(http, url))
        {
            Assert.That(await _cluster.ShardNumSubAsync(channels[0]), Is.Zero, "no SSUBSCRIBE without the option");
            foreach (var channel in channels)
            {
                await publisher.PublishAsync("live " + channel, channel: channel);
            }

            // Through three nodes' connections: no order across channels.
            Assert.That(await DataAsync(first, 3), Is.EquivalentTo(channels.Select(c => "live " + c)));
            seen = IdOf(await ReadAfterAsync(publisher, first, channels[0]));
        }

        await publisher.PublishAsync("missed", channel: channels[2]);
        await using var second = await SseTestStream.OpenAsync(http, url, h => h.Add("Last-Event-ID", seen));

        Assert.That(await DataAsync(second, 1), Is.EqualTo(new[] { "missed" }));
    }

    [Test]
    public async Task Startup_LogsThatRedisIsACluster_AndWhichPubSubItUses()
    {
        var logs = _site.Logs;
        // The broker connects in the background from startup on.
        var logged = await Eventually.AcceptedAsync(
            () => Task.FromResult(logs.GetSnapshot().Where(r => r.Id.Name == "RedisClusterRecognised").ToList()),
            records => records.Count > 0,
            "the broker logged that Redis is a cluster");

        Assert.That(logged, Has.Count.EqualTo(1));
        Assert.That(logged[0].Message, Does.Contain("3 masters known").And.Contain("sharded pub/sub"));
    }

    [Test]
    public async Task WithoutHistory_ShardedPublishesReachChannelsOnEveryMaster_AsFlaskSsePayloads()
    {
        await using var site = await StartOnClusterAsync(sharded: true, history: 0);
        var http = site.Http;
        var publisher = site.Publisher;
        var channels = await _cluster.ChannelsOnEveryMasterAsync(Unique("nohistory"));
        var streams = new List<SseTestStream>();
        try
        {
            foreach (var channel in channels)
            {
                streams.Add(await SseTestStream.OpenAsync(http, "/sse/stream?channel=" + channel));
            }

            foreach (var channel in channels)
            {
                Assert.That(await publisher.PublishAsync("to " + channel, type: "note", channel: channel), Is.EqualTo(1));
            }

            for (var i = 0; i < channels.Length; i++)
            {
                Assert.That(await streams[i].ReadEventAsync(), Is.EqualTo($"event:note\ndata:to {channels[i]}\n\n"), "no id: history is off");
            }
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    private Task<TestSite<TestHost.Program>> StartOnClusterAsync(bool sharded, int history = 100)
        // The in-memory kind keeps the site from starting the single test Redis; the setting then names the cluster.
        => TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.RedisUrl] = _cluster.Url,
            [TestSettings.RedisShardedPubSub] = sharded ? "true" : "false",
            [TestSettings.HistoryLength] = history.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    /// <summary>Publishes a last marker on <paramref name="channel"/> and returns its event: the stream's position after everything before it.</summary>
    private static async Task<string> ReadAfterAsync(ISsePublisher publisher, SseTestStream stream, string channel)
    {
        await publisher.PublishAsync("marker", channel: channel);
        return await stream.ReadEventAsync();
    }

    [Test]
    public async Task Replay_AcrossMasters_OrdersEventsOfOneMillisecondByTheRequestsChannelOrder_NotByEachStreamsSequence()
    {
        // Written as the publish script writes them, with ids chosen so that both streams hold the
        // same millisecond: a's second event is T-1, b's first is T-0. The sequence part counts within
        // its own stream, so it must not order events of different channels.
        var channels = await _cluster.ChannelsOnEveryMasterAsync(Unique("tie"));
        string a = channels[0], b = channels[1];
        var db = _cluster.Client.GetDatabase();
        await db.StreamAddAsync(SseArea.Internal.Redis.RedisKeys.History(a), [new("n", 0), new("p", "{\"data\": \"a1\"}")], "1700000000000-0");
        await db.StreamAddAsync(SseArea.Internal.Redis.RedisKeys.History(a), [new("n", 0), new("p", "{\"data\": \"a2\"}")], "1700000000000-1");
        await db.StreamAddAsync(SseArea.Internal.Redis.RedisKeys.History(b), [new("n", 0), new("p", "{\"data\": \"b1\"}")], "1700000000000-0");

        // The stream's position on each channel, in request order (both at the start of their history).
        await using var stream = await SseTestStream.OpenAsync(_http, $"/sse/stream?channel={a}&channel={b}", h => h.Add("Last-Event-ID", "0-0,0-0"));

        Assert.That(await DataAsync(stream, 3), Is.EqualTo(new[] { "a1", "a2", "b1" }));
    }

    private static async Task<List<string>> DataAsync(SseTestStream stream, int count)
    {
        var data = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var text = await stream.ReadEventAsync();
            data.Add(string.Join('\n', text.Split('\n').Where(l => l.StartsWith("data:", StringComparison.Ordinal)).Select(l => l[5..])));
        }

        return data;
    }

    private static string IdOf(string eventText)
        => eventText.Split('\n').Single(line => line.StartsWith("id:", StringComparison.Ordinal))[3..];

    private static string Unique(string name) => $"cluster.{name}.{Guid.NewGuid():N}.";
}
