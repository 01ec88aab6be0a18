using SseArea.Tests.Infrastructure;
using StackExchange.Redis;

namespace SseArea.Tests.Integration;

/// <summary>
/// SseArea on a shared Redis as a user limited by the ACL line docs/security.md gives (its keys only, pub/sub, streams,
/// scripts; nothing dangerous): publishing, live delivery, replay with history and subscriber counts all work, and the
/// user can not touch another application's keys.
/// </summary>
[CancelAfter(60_000)]
public sealed class RedisAclTests
{
    /// <summary>The ACL rules of docs/security.md, word for word (after <c>ACL SETUSER sse on &gt;password</c>).</summary>
    public static readonly string[] Rules = ["~sse:*", "&*", "-@all", "+@pubsub", "+@stream", "+@hash", "+@string", "+@scripting", "+@connection", "+@keyspace", "-@dangerous", "+time", "+info", "+cluster"];

    /// <summary>With a channel prefix: the same, its keys and channels limited to the prefix (docs/security.md).</summary>
    public static readonly string[] PrefixRules = ["~sse:{myapp:*", "&myapp:*", .. Rules.Where(rule => rule is not ("~sse:*" or "&*"))];

    [TestCase(false)]
    [TestCase(true)]
    public async Task SseArea_WorksAsARedisUserLimitedToItsOwnKeys(bool prefixed)
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await redis.Client.GetDatabase().ExecuteAsync("ACL", ["SETUSER", "sse", "on", ">s3cret", .. prefixed ? PrefixRules : Rules]);
        var settings = new Dictionary<string, string?>
        {
            [TestSettings.RedisUrl] = $"redis://sse:s3cret@127.0.0.1:{redis.Port}",
            [TestSettings.HistoryLength] = "10",
            [TestSettings.RedisChannelPrefix] = prefixed ? "myapp:" : null,
        };
        await using var site = await TestSite.StartAsync(new TestSiteOptions { Settings = new(settings) });

        string seen;
        await using (var first = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=acl"))
        {
            Assert.That(await site.Publisher.PublishAsync("one", channel: "acl"), Is.EqualTo(1));
            seen = (await first.ReadEventAsync()).Split('\n').Single(l => l.StartsWith("id:", StringComparison.Ordinal))[3..];
            Assert.That(await site.Stats.CountSubscribersAsync("acl"), Is.EqualTo(1));
        }

        await site.Publisher.PublishAsync("two", channel: "acl");
        await using var second = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=acl", h => h.Add("Last-Event-ID", seen));
        Assert.That(await second.ReadEventAsync(), Does.StartWith("data:two\n"), "replayed from the history, under the ACL");

        await using var limited = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{redis.Port},user=sse,password=s3cret");
        Assert.ThrowsAsync<RedisServerException>(() => limited.GetDatabase().StringSetAsync("other-app:key", "x"), "another application's keys are out of reach");
        if (prefixed)
        {
            Assert.ThrowsAsync<RedisServerException>(() => limited.GetSubscriber().PublishAsync(RedisChannel.Literal("acl"), "x"), "and so are channels outside the prefix");
        }
    }
}
