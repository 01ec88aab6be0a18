using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// A Redis that stalls (SIGSTOP: its TCP connections stay up, it answers nothing) is reported: the <c>sse</c> health
/// check turns Unhealthy while Redis does not answer a PING in time, and Healthy again once it answers.
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
}
