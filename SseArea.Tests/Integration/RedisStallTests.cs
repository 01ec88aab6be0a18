using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// A Redis that stalls (SIGSTOP: its TCP connections stay up, it answers nothing): the <c>sse</c> health check turns
/// Unhealthy while Redis does not answer a PING in time, and Healthy again once it answers; a SUBSCRIBE that waits
/// holds up only its own channel; a SUBSCRIBE given up on leaves no subscription behind once Redis answers again.
/// </summary>
[CancelAfter(90_000)]
public sealed class RedisStallTests
{
    [Test]
    public async Task AFrozenRedis_MakesTheHealthCheckUnhealthy_UntilItAnswersAgain()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await using var site = await TestSite.StartAsync(new TestSiteOptions { Settings = { [TestSettings.RedisUrl] = redis.Url } });
        var health = site.Services.GetRequiredService<HealthCheckService>();
        await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy, "healthy to begin with", TimeSpan.FromSeconds(30));

        await redis.SuspendAsync();
        HealthReport frozen;
        try
        {
            frozen = await health.CheckHealthAsync();
        }
        finally
        {
            await redis.ResumeAsync();
        }

        Assert.That(frozen.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(frozen.Entries["sse"].Description, Does.Contain("did not answer a PING"));
        await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync()).Status == HealthStatus.Healthy, "healthy again", TimeSpan.FromSeconds(30));
    }

    [Test]
    public async Task WhileOneChannelsSubscribeWaits_AStreamOnAChannelAlreadySubscribedOpensAtOnce()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await using var site = await TestSite.StartAsync(new TestSiteOptions { Settings = { [TestSettings.RedisUrl] = redis.Url } });
        var client = site.CreateClient();
        await using var first = await SseTestStream.OpenAsync(client, "/sse/stream?channel=stall.subscribed");

        await redis.SuspendAsync();
        Task<HttpResponseMessage> waiting;
        TimeSpan opened;
        try
        {
            // Redis takes this SUBSCRIBE and answers nothing: the stream waits for it.
            waiting = client.GetAsync("/sse/stream?channel=stall.new", HttpCompletionOption.ResponseHeadersRead);
            var listeners = ((SseArea.Internal.Redis.RedisSseBroker)site.Services.GetRequiredService<SseArea.Internal.Fanout.ISseBroker>()).Listeners;
            await Eventually.HoldsAsync(() => Task.FromResult(listeners.Count("stall.new") == 1), "the new channel's SUBSCRIBE under way");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            await using var second = await SseTestStream.OpenAsync(client, "/sse/stream?channel=stall.subscribed");
            opened = clock.Elapsed;
            Assert.That(waiting.IsCompleted, Is.False, "the new channel's stream still waits for Redis");
        }
        finally
        {
            await redis.ResumeAsync();
        }

        Assert.That(opened, Is.LessThan(TimeSpan.FromSeconds(2)), "a channel already subscribed does not wait for another channel's SUBSCRIBE");
        using var response = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), "and the waiting one opens once Redis answers");
    }

    [Test]
    public async Task ASubscribeGivenUpOnWhileRedisIsFrozen_LeavesNoSubscriptionOnceItAnswers()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        // A short timeout: SseArea gives up on a SUBSCRIBE after twice the command timeout (2 s here).
        var url = $"127.0.0.1:{redis.Port},syncTimeout=1000,asyncTimeout=1000";
        await using var site = await TestSite.StartAsync(new TestSiteOptions { Settings = { [TestSettings.RedisUrl] = url } });
        var client = site.CreateClient();
        await using (await SseTestStream.OpenAsync(client, "/sse/stream?channel=stall.warm"))
        {
        }

        await redis.SuspendAsync();
        HttpResponseMessage refused;
        try
        {
            refused = await client.GetAsync("/sse/stream?channel=stall.abandoned").WaitAsync(TimeSpan.FromSeconds(20));
        }
        finally
        {
            await redis.ResumeAsync();
        }

        Assert.That(refused.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.ServiceUnavailable));
        var server = redis.Client.GetServer(redis.Client.GetEndPoints()[0]);
        await Eventually.HoldsAsync(
            async () => (long)(await server.ExecuteAsync("PUBSUB", "NUMSUB", "stall.abandoned"))[1] == 0,
            "no subscription to stall.abandoned once Redis answers again",
            TimeSpan.FromSeconds(20));
        // Held: the SUBSCRIBE Redis took while frozen is answered by now, and still nothing is left.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.That((long)(await server.ExecuteAsync("PUBSUB", "NUMSUB", "stall.abandoned"))[1], Is.Zero);
    }
}
