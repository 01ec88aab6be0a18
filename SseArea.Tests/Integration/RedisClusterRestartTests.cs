using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// A master of the run's Redis Cluster restarts while a stream of one of its channels is open
/// (sharded pub/sub, history on). It leaves the cluster whole (every node <c>cluster_state:ok</c>, the
/// test client reconnected) for the tests after it.
/// </summary>
[CancelAfter(90_000)]
public sealed class RedisClusterRestartTests
{
    [Test]
    public async Task MasterRestart_KeepsTheStreamOpen_PublishesMeanwhileThrow_AndLaterEventsArrive()
    {
        var cluster = await RedisClusterTestServer.GetAsync();
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.RedisUrl] = cluster.Url,
            [TestSettings.RedisShardedPubSub] = "true",
            [TestSettings.HistoryLength] = "100",
        });
        var http = site.Http;
        var publisher = site.Publisher;
        var channel = $"cluster.restart.{Guid.NewGuid():N}";
        var master = await cluster.MasterOfAsync(channel);
        await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=" + channel);
        await publisher.PublishAsync("before", channel: channel);
        Assert.That(await stream.ReadEventAsync(), Does.StartWith("data:before\n"));

        SseBrokerException? refused = null;
        await cluster.RestartMasterAsync(master, whileDown: async () =>
        {
            try
            {
                await publisher.PublishAsync("while down", channel: channel);
            }
            catch (SseBrokerException e)
            {
                refused = e;
            }
        });

        Assert.That(refused, Is.Not.Null, "a publish while the channel's master is down throws, never a silent drop");
        await Eventually.HoldsAsync(
            async () => await ShardNumSubOrZeroAsync(cluster, channel) == 1,
            "the stream's SSUBSCRIBE came back by itself",
            TimeSpan.FromSeconds(30));
        Assert.That(await stream.ReadEventAsync(TimeSpan.FromSeconds(15)), Is.EqualTo(RedisRestartTests.MissedNotice(channel)), "the open stream is told it may have missed events");
        await publisher.PublishAsync("after", channel: channel);

        // Heartbeats may come between; the next event is the one published after the restart.
        Assert.That(await stream.ReadEventAsync(TimeSpan.FromSeconds(15)), Does.StartWith("data:after\n"));
    }

    private static async Task<long> ShardNumSubOrZeroAsync(RedisClusterTestServer cluster, string channel)
    {
        try
        {
            return await cluster.ShardNumSubAsync(channel);
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            return 0; // the test's own client is still reconnecting
        }
    }
}
