using Microsoft.Extensions.DependencyInjection;
using SseArea.Internal.Redis;
using SseArea.Tests.Infrastructure;
using StackExchange.Redis;

namespace SseArea.Tests.Integration;

/// <summary>
/// The Redis broker on settings given in code: StackExchange.Redis options (connected with a copy, with
/// SseArea's two settings), or a connection of the application's own (used as it is, never disposed).
/// </summary>
[CancelAfter(60_000)]
public sealed class RedisConnectionOptionsTests
{
    [Test]
    public async Task ConfigurationOptions_FromCode_CarryTheStream_AndAreNotChanged()
    {
        var redis = await RedisTestServer.GetAsync();
        Assert.That(RedisUrl.TryParse(redis.Url, out var configuration, out var error), Is.True, error);
        var abortOnConnectFail = configuration!.AbortOnConnectFail;
        var backlog = configuration.BacklogPolicy;

        await using (var site = await TestSite.StartAsync(services => services.AddSse(o => o.Redis.Configuration = configuration)))
        {
            await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=code.options");
            await site.Publisher.PublishAsync("over the app's options", channel: "code.options");

            Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:over the app's options\n\n"));
            Assert.That(await redis.NumSubAsync("code.options"), Is.EqualTo(1), "the broker subscribed on that Redis");
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(configuration.AbortOnConnectFail, Is.EqualTo(abortOnConnectFail), "SseArea connected with a copy");
            Assert.That(configuration.BacklogPolicy, Is.SameAs(backlog));
        }
    }

    [Test]
    public async Task ConnectionFactory_TheAppsOwnConnection_CarriesTheStream_AndOutlivesTheSite()
    {
        var redis = await RedisTestServer.GetAsync();
        Assert.That(RedisUrl.TryParse(redis.Url, out var configuration, out var error), Is.True, error);
        await using var own = await ConnectionMultiplexer.ConnectAsync(configuration!);
        var calls = 0;

        await using (var site = await TestSite.StartAsync(services => services.AddSse(o => o.Redis.ConnectionFactory = () =>
        {
            Interlocked.Increment(ref calls);
            return Task.FromResult<IConnectionMultiplexer>(own);
        })))
        {
            await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=own.connection");
            await site.Publisher.PublishAsync("over the app's connection", channel: "own.connection");

            Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:over the app's connection\n\n"));
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(calls, Is.EqualTo(1), "asked once, when the broker first connected");
            Assert.That(own.IsConnected, Is.True, "the site stopped without disposing the app's connection");
            Assert.That(await own.GetDatabase().PingAsync(), Is.GreaterThan(TimeSpan.Zero));
            Assert.That(await redis.NumSubAsync("own.connection"), Is.Zero, "the stream's subscription left with it");
        }
    }

    [Test]
    public async Task ConnectionFactory_ABrokerClosedWhileAStreamStillListens_LeavesNoSubscriptionOnTheAppsConnection()
    {
        // A stream that has not ended when the broker closes (stuck, say): a connection of SseArea's would take
        // its subscriptions with it as it closes; the app's connection lives on, so they are unsubscribed.
        var redis = await RedisTestServer.GetAsync();
        Assert.That(RedisUrl.TryParse(redis.Url, out var configuration, out var error), Is.True, error);
        await using var own = await ConnectionMultiplexer.ConnectAsync(configuration!);
        var options = Microsoft.Extensions.Options.Options.Create(new SseOptions { Redis = { ConnectionFactory = () => Task.FromResult<IConnectionMultiplexer>(own) } });
        var broker = new RedisSseBroker(options, Microsoft.Extensions.Logging.Abstractions.NullLogger<RedisSseBroker>.Instance);
        await broker.StartAsync(default);
        await using var subscription = await broker.SubscribeAsync(["own.left.open"], new Unit.RecordingListener(), null, default);
        var subscribedWhileOpen = await redis.NumSubAsync("own.left.open");

        await broker.DisposeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(subscribedWhileOpen, Is.EqualTo(1));
            Assert.That(await redis.NumSubAsync("own.left.open"), Is.Zero, "the app's connection, which lives on, is no longer subscribed for SseArea");
            Assert.That(own.IsConnected, Is.True, "and is not closed");
        }
    }
}
