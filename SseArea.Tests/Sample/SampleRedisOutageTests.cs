using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Sample;

/// <summary>
/// SampleSite's publishing pages (<c>/hello</c>, the publish form) while its Redis restarts: the
/// test's own <c>redis-server</c> is killed and started again on the same port.
/// </summary>
[CancelAfter(90_000)]
public sealed class SampleRedisOutageTests
{
    [Test]
    public async Task RedisRestart_PublishingOverHttp_AnswersAClear503_ThenWorksAgain()
    {
        await using var redis = await OwnRedisServer.StartAsync();
        await using var site = await TestSite<Program>.StartAsync(new TestSiteOptions { Settings = { [TestSettings.RedisUrl] = redis.Url } });
        var token = await SampleForms.AntiforgeryTokenAsync(site.Http);
        await redis.KillAsync();
        await WaitForHealthAsync(site, HealthStatus.Unhealthy, "Redis is down");

        using (var hello = await site.Http.GetAsync("/hello"))
        {
            await Problems.AssertAsync(hello, HttpStatusCode.ServiceUnavailable, "unreachable");
        }

        using (var posted = await SampleForms.PostPublishAsync(site.Http, token, "news"))
        {
            var body = await posted.Content.ReadAsStringAsync();
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), body);
            Assert.That(posted.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(body, Does.Contain("\"title\":\"Message not sent\"").And.Contain("unreachable").And.Not.Contain("   at "), "says why, without a stack trace");
        }

        using (var health = await site.Http.GetAsync("/healthz"))
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "/healthz reports the outage");
        }

        await redis.StartAgainAsync();
        await WaitForHealthAsync(site, HealthStatus.Healthy, "Redis is back");
        using (var posted = await SampleForms.PostPublishAsync(site.Http, token, "news"))
        {
            Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await posted.Content.ReadAsStringAsync());
        }

        using (var health = await site.Http.GetAsync("/healthz"))
        {
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
    }

    private static async Task WaitForHealthAsync(TestSite<Program> site, HealthStatus status, string what)
    {
        var health = site.Services.GetRequiredService<HealthCheckService>();
        // StackExchange.Redis retries the connection on its own schedule: generous.
        await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync(r => r.Name == "sse")).Status == status, what, TimeSpan.FromSeconds(30));
    }
}
