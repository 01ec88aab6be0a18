using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SseArea.TestHost;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Dashboard;

/// <summary>
/// The operator's dashboard: off until <c>AddDashboard</c>, 403 (never a redirect) for whoever its policy refuses, and
/// for an admin the page and its stream, which carries each server's figures: connections (the dashboard's own
/// apart), streams per channel, the meter's totals, the broker. On both brokers; on Redis, across two servers.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class DashboardTests(BrokerKind broker)
{
    [Test]
    public async Task WithoutAddDashboard_ThePathIsNotThere()
    {
        await using var site = await TestSite.StartAsync(new TestSiteOptions { Broker = broker });

        using var response = await site.Http.GetAsync("/sse/dashboard");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [TestCase(null, null)]
    [TestCase("alice", "User")]
    public async Task AUserThePolicyRefuses_Gets403_NeverARedirect_ForThePageAndItsStream(string? user, string? roles)
    {
        await using var site = await StartAsync();
        var client = site.CreateClient(followRedirects: false);

        using var page = await Get(client, "/sse/dashboard", user, roles);
        using var stream = await Get(client, "/sse/stream?channel=sse-dashboard", user, roles);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(stream.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(page.Headers.Location, Is.Null);
        }
    }

    [Test]
    public async Task TheAdmin_GetsThePage_AndItsStreamCarriesTheFiguresAsTheyMove()
    {
        await using var site = await StartAsync();
        var client = site.CreateClient();

        using var page = await Get(client, "/sse/dashboard", "root", "Admin");
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        Assert.That(html, Does.Contain("<sse-stream id=\"feed\"").And.Contain("channel=sse-dashboard").And.Contain("_content/SseArea/sse-dashboard.js"));

        await using var dashboard = await SseTestStream.OpenAsync(client, "/sse/stream?channel=sse-dashboard", h => h.SignIn("root", "Admin"));
        var streams = new List<SseTestStream>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                streams.Add(await SseTestStream.OpenAsync(client, "/sse/stream?channel=news"));
            }

            for (var i = 0; i < 5; i++)
            {
                await site.Publisher.PublishAsync($"event {i}", channel: "news");
            }

            var figures = await ReadFiguresAsync(dashboard, f => f.GetProperty("connections").GetInt32() == 3 && Total(f, "sse.events.published") >= 5);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(figures.GetProperty("viewers").GetInt32(), Is.EqualTo(1), "the dashboard's own stream, apart");
                Assert.That(figures.GetProperty("busiest")[0].GetProperty("channel").GetString(), Is.EqualTo("news"));
                Assert.That(figures.GetProperty("busiest")[0].GetProperty("streams").GetInt32(), Is.EqualTo(3));
                Assert.That(Total(figures, "sse.events.delivered"), Is.GreaterThanOrEqualTo(15));
                Assert.That(figures.GetProperty("problem").ValueKind, Is.EqualTo(JsonValueKind.Null));
                Assert.That(figures.GetProperty("broker").GetString(), Does.StartWith(broker == BrokerKind.Redis ? "Redis" : "in-memory"));
                Assert.That(figures.GetProperty("endpoints").GetArrayLength(), Is.EqualTo(broker == BrokerKind.Redis ? 1 : 0));
                if (broker == BrokerKind.Redis)
                {
                    Assert.That(figures.GetProperty("endpoints")[0].GetProperty("connected").GetBoolean(), Is.True);
                }
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
    public async Task OnRedis_ADashboardHearsEveryServer()
    {
        if (broker != BrokerKind.Redis)
        {
            Assert.Ignore("Servers share figures through Redis.");
        }

        await using var a = await StartAsync();
        await using var b = await StartAsync();
        await using var onB = await SseTestStream.OpenAsync(b.CreateClient(), "/sse/stream?channel=news");
        await using var dashboard = await SseTestStream.OpenAsync(a.CreateClient(), "/sse/stream?channel=sse-dashboard", h => h.SignIn("root", "Admin"));

        var servers = new Dictionary<string, int>();
        await ReadFiguresAsync(dashboard, f =>
        {
            servers[f.GetProperty("server").GetString()!] = f.GetProperty("connections").GetInt32();
            return servers.Count == 2 && servers.Values.Order().SequenceEqual([0, 1]);
        });
    }

    [Test]
    public async Task InARazorPagesSite_MapSseMapsTheDashboardToo()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        builder.Services.AddFakeLogging();
        builder.Services.AddRazorPages();
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        AddDashboard(builder.Services);
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        app.MapSse();
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First()) };

        using var admin = await Get(client, "/sse/dashboard", "root", "Admin");
        using var anonymous = await Get(client, "/sse/dashboard", null, null);

        Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.OK), await admin.Content.ReadAsStringAsync() + string.Join("\n", app.Services.GetFakeLogCollector().GetSnapshot().Select(r => r.Exception?.ToString())));
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    private Task<TestSite<SseArea.TestHost.Program>> StartAsync() => TestSite.StartAsync(new TestSiteOptions { Broker = broker, Services = AddDashboard });

    private static void AddDashboard(IServiceCollection services)
    {
        services.AddAuthorization(o => o.AddPolicy("Admins", p => p.RequireRole("Admin")));
        services.AddSse().AddDashboard("Admins", o => o.UpdateInterval = TimeSpan.FromMilliseconds(200));
    }

    private static async Task<HttpResponseMessage> Get(HttpClient client, string path, string? user, string? roles)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.SignIn(user, roles);
        return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>Reads the dashboard's figures events until one is <paramref name="wanted"/> (each read has a deadline).</summary>
    private static async Task<JsonElement> ReadFiguresAsync(SseTestStream stream, Func<JsonElement, bool> wanted)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        string last = "none";
        while (DateTime.UtcNow < deadline)
        {
            var text = await stream.ReadEventAsync();
            Assert.That(text, Does.StartWith("event:sse-dashboard\n"));
            last = text.Split('\n').Single(l => l.StartsWith("data:", StringComparison.Ordinal))[5..];
            var figures = JsonDocument.Parse(last).RootElement;
            if (wanted(figures))
            {
                return figures;
            }
        }

        Assert.Fail($"No figures as wanted within 20 s; the last: {last}");
        return default;
    }

    private static long Total(JsonElement figures, string instrument)
        => figures.GetProperty("totals").TryGetProperty(instrument, out var total) ? total.GetInt64() : 0;
}
