using SseArea.Internal.Redis;
using SseArea.Tests.Infrastructure;
using StackExchange.Redis;

namespace SseArea.Tests.Integration;

/// <summary>
/// <c>Sse:Redis:ChannelPrefix</c>: two applications on one Redis, each with its own prefix, do not see each other's
/// events, counts or history; a Flask-SSE publisher reaches a prefixed application on the prefixed name.
/// </summary>
[CancelAfter(60_000)]
public sealed class RedisChannelPrefixTests
{
    [Test]
    public async Task TwoAppsWithTheirOwnPrefixes_OnOneRedis_AreApart_AndAFlaskPublisherUsesThePrefixedName()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await using var a = await Site(redis, "app-a:");
        await using var b = await Site(redis, "app-b:");
        await using var onA = await SseTestStream.OpenAsync(a.CreateClient(), "/sse/stream?channel=news");
        await using var onB = await SseTestStream.OpenAsync(b.CreateClient(), "/sse/stream?channel=news");

        await a.Publisher.PublishAsync("from a", channel: "news");
        await b.Publisher.PublishAsync("from b", channel: "news");
        // What a Flask-SSE app does: sse.publish("from python", channel="app-a:news").
        await redis.Client.GetSubscriber().PublishAsync(RedisChannel.Literal("app-a:news"), "{\"data\": \"from python\"}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await onA.ReadEventAsync(), Is.EqualTo("data:from a\n\n"));
            Assert.That(await onA.ReadEventAsync(), Is.EqualTo("data:from python\n\n"), "a's stream never saw b's event");
            Assert.That(await onB.ReadEventAsync(), Is.EqualTo("data:from b\n\n"), "b's stream never saw a's event");
        }

        var channels = (await redis.Client.GetServer(redis.Client.GetEndPoints()[0]).SubscriptionChannelsAsync(RedisChannel.Pattern("*"))).Select(c => c.ToString()).ToList();
        Assert.That(channels, Is.SupersetOf(new[] { "app-a:news", "app-b:news" }).And.Not.Contain("news"));
        await Eventually.HoldsAsync(async () => await a.Stats.CountSubscribersAsync("news") == 1 && await b.Stats.CountSubscribersAsync("news") == 1, "each app counts its own stream only");
    }

    [Test]
    public async Task HistoryLivesUnderThePrefixedName_AndReplaysUnderThePlainOne()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await using var a = await Site(redis, "app-a:", history: true);
        await using var b = await Site(redis, "app-b:", history: true);
        await a.Publisher.PublishAsync("seen", channel: "news");
        await b.Publisher.PublishAsync("b's own", channel: "news");
        var seen = (string)(await redis.Client.GetDatabase().StreamRangeAsync(RedisKeys.History("app-a:news"), "-", "+"))[0].Id!;
        await a.Publisher.PublishAsync("missed", channel: "news");

        await using var resumed = await SseTestStream.OpenAsync(a.CreateClient(), "/sse/stream?channel=news", headers => headers.Add("Last-Event-ID", seen));

        Assert.That(await resumed.ReadEventAsync(), Does.Contain("data:missed\n"));
        Assert.That(await redis.Client.GetDatabase().KeyExistsAsync(RedisKeys.History("news")), Is.False, "nothing under the plain name");
    }

    private static Task<TestSite<TestHost.Program>> Site(OwnRedisServer redis, string prefix, bool history = false) => TestSite.StartAsync(new TestSiteOptions
    {
        Settings =
        {
            [TestSettings.RedisUrl] = redis.Url,
            [TestSettings.RedisChannelPrefix] = prefix,
            [TestSettings.HistoryLength] = history ? "10" : "0",
        },
    });
}
