using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// Every way in to the area's access control — a registered rule, a policy rule, an area filter
/// type, a delegate — refusing and admitting over real HTTP, on each broker. Users come from the
/// test host's sign-in headers. All rules are registered after the host's <c>AddSse()</c> (the
/// order Flask-SSE's docs warn about), in this fixture's services; <c>analytics</c> is admin-only
/// as in Flask-SSE's access-control example.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class AccessControlTests(BrokerKind broker) : TestSiteFixture
{
    private protected override TestSiteOptions SiteOptions => new() { Broker = broker, Services = AddAccessRules };

    private static void AddAccessRules(IServiceCollection services)
    {
        services.AddAuthorization(options => options.AddPolicy("Beta", policy => policy.RequireClaim("beta", "yes")));
        services.AddSingleton<SeenRequests>();
        services.AddSse()
            .AddChannelAccess("ops", roles: "Ops")
            .AddChannelAccess("analytics", roles: "Admin")
            .AddChannelAccess("admin.*", roles: "Admin,Auditor")
            .AddChannelAccess("beta", policy: "Beta")
            .AddChannelAccess("beta", roles: "Tester")
            .AddAreaFilter<SecretChannelFilter>()
            .AddAreaFilter<BlockedChannelFilter>();
    }

    [TestCase("analytics", null, null, HttpStatusCode.Forbidden, TestName = "analytics: anonymous refused")]
    [TestCase("analytics", "alice", null, HttpStatusCode.Forbidden, TestName = "analytics: user without role refused")]
    [TestCase("analytics", "admin", "Admin", HttpStatusCode.OK, TestName = "analytics: Admin admitted")]
    [TestCase("admin.audit", "alice", "Tester", HttpStatusCode.Forbidden, TestName = "admin.*: other role refused")]
    [TestCase("admin.audit", "carol", "Auditor", HttpStatusCode.OK, TestName = "admin.*: any listed role admitted")]
    [TestCase("admin.", "admin", "Admin", HttpStatusCode.OK, TestName = "admin.*: the bare prefix matches")]
    [TestCase("admin.", null, null, HttpStatusCode.Forbidden, TestName = "admin.*: the bare prefix is guarded")]
    [TestCase("administrator", null, null, HttpStatusCode.OK, TestName = "admin.*: a name that only starts like the rule is public")]
    [TestCase("users.social", null, null, HttpStatusCode.OK, TestName = "users.social: public")]
    [TestCase("ops", "alice", null, HttpStatusCode.Forbidden, TestName = "a rule registered first: refuses")]
    [TestCase("ops", "olga", "Ops", HttpStatusCode.OK, TestName = "a rule registered first: admits")]
    public async Task ChannelAccessRules_RefuseOrAdmit(string channel, string? user, string? roles, HttpStatusCode expected)
    {
        using var response = await GetStreamAsync($"/sse/stream?channel={Uri.EscapeDataString(channel)}", user, roles);

        Assert.That(response.StatusCode, Is.EqualTo(expected), await BodyOfRefusalAsync(response));
    }

    [TestCase(null, null, null, HttpStatusCode.Forbidden, TestName = "beta: anonymous refused")]
    [TestCase("bob", "Tester", null, HttpStatusCode.Forbidden, TestName = "beta: role rule passes, policy rule refuses")]
    [TestCase("bob", null, "beta=yes", HttpStatusCode.Forbidden, TestName = "beta: policy rule passes, role rule refuses")]
    [TestCase("bob", "Tester", "beta=yes", HttpStatusCode.OK, TestName = "beta: both rules pass")]
    public async Task SeveralRulesOnOneChannel_AllMustPass(string? user, string? roles, string? claims, HttpStatusCode expected)
    {
        using var response = await GetStreamAsync("/sse/stream?channel=beta", user, roles, claims);

        Assert.That(response.StatusCode, Is.EqualTo(expected), await BodyOfRefusalAsync(response));
    }

    [Test]
    public async Task Refusal_IsProblemDetailsNamingTheChannel_AndNoStreamIsOpened()
    {
        // A channel no other test follows: a stream another test just closed may still be leaving.
        using var response = await GetStreamAsync("/sse/stream?channel=admin.refused", "alice");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Multiple(() =>
        {
            Assert.That(problem.RootElement.GetProperty("status").GetInt32(), Is.EqualTo(403));
            Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.Contain("'admin.refused'").And.Contain("Admin"));
            Assert.That(problem.RootElement.GetProperty("channels").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "admin.refused" }));
        });
        Assert.That(await Publisher.PublishAsync("nobody listens", channel: "admin.refused"), Is.Zero, "the refused request never subscribed");
    }

    [Test]
    public async Task SeveralChannels_OneRefused_RefusesTheWholeRequest()
    {
        using var response = await GetStreamAsync("/sse/stream?channel=users.social&channel=admin.audit&channel=news", "alice");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(problem.RootElement.GetProperty("channels").EnumerateArray().Select(c => c.GetString()), Is.EqualTo(new[] { "admin.audit" }));
        Assert.That(await Publisher.PublishAsync("nobody listens", channel: "news"), Is.Zero, "no channel of the refused request was subscribed");
    }

    [Test]
    public async Task AdmittedUser_ReceivesTheRestrictedChannelsEvents()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=admin.audit&channel=users.social", h => h.SignIn("admin", "Admin"));

        await Publisher.PublishAsync("audit entry", channel: "admin.audit");

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:audit entry\n\n"));
    }

    [TestCase("secret", TestName = "area filter type: refuses its channel")]
    [TestCase("blocked", TestName = "a second area filter type: refuses its channel")]
    public async Task AreaFilters_RefuseEvenAnAdmin(string channel)
    {
        using var response = await GetStreamAsync($"/sse/stream?channel=public&channel={channel}", "admin", "Admin");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain($"'{channel}'"));
    }

    [Test]
    public async Task AreaFilterType_IsResolvedFromDependencyInjectionPerRequest()
    {
        var seen = Site.Services.GetRequiredService<SeenRequests>();

        using (await GetStreamAsync("/sse/stream?channel=secret")) { }
        using (await GetStreamAsync("/sse/stream?channel=secret")) { }

        Assert.That(seen.FilterInstances.Distinct().Count(), Is.GreaterThanOrEqualTo(2), "a new filter instance per request");
    }

    [Test]
    public async Task AreaFilters_SeeTheParsedRequest()
    {
        var seen = Site.Services.GetRequiredService<SeenRequests>();

        await using (await SseTestStream.OpenAsync(Http, "/sse/stream?channel=&channel=parsed-a&channel=parsed-b&channel=parsed-a", h => h.Add("Last-Event-ID", "41")))
        {
        }

        await using (await SseTestStream.OpenAsync(Http, "/sse/stream?lastEventId=7"))
        {
        }

        Assert.Multiple(() =>
        {
            Assert.That(seen.Requests["parsed-a"].Channels, Is.EqualTo(new[] { "parsed-a", "parsed-b" }));
            Assert.That(seen.Requests["parsed-a"].LastEventId, Is.EqualTo("41"));
            Assert.That(seen.Requests["sse"].Channels, Is.EqualTo(new[] { "sse" }), "no channel: the default");
            Assert.That(seen.Requests["sse"].LastEventId, Is.EqualTo("7"));
        });
    }

    [Test]
    public async Task InvalidChannel_Answers400BeforeAnyAreaFilterRuns()
    {
        var seen = Site.Services.GetRequiredService<SeenRequests>();
        var before = seen.FilterInstances.Count;

        using var response = await GetStreamAsync("/sse/stream?channel=secret&channel=%01");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(seen.FilterInstances, Has.Count.EqualTo(before));
    }

    [Test]
    public async Task Refusal_IsLoggedWithChannelAndUser_AndCounted()
    {
        using var refused = new MetricCollector<long>(Site.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "SseArea", "sse.access.refused");
        var logs = Site.Logs;
        logs.Clear();

        using (await GetStreamAsync("/sse/stream?channel=admin.logged", "mallory", "Guest")) { }

        Assert.That(refused.GetMeasurementSnapshot().Sum(m => m.Value), Is.EqualTo(1));
        var entry = logs.GetSnapshot().Single(r => r.Id.Name == "SseChannelRefused");
        Assert.That(entry.Message, Does.Contain("'admin.logged'").And.Contain("mallory"));
    }

    private async Task<HttpResponseMessage> GetStreamAsync(string url, string? user = null, string? roles = null, string? claims = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.SignIn(user, roles, claims);
        using var deadline = new CancellationTokenSource(SseTestStream.DefaultTimeout);
        // Headers only: an admitted request is an endless stream, disposed by the caller.
        return await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
    }

    private static async Task<string> BodyOfRefusalAsync(HttpResponseMessage response)
        => response.StatusCode == HttpStatusCode.OK ? "" : await response.Content.ReadAsStringAsync();

    internal sealed class SeenRequests
    {
        public ConcurrentDictionary<string, SseStreamRequest> Requests { get; } = new();

        public ConcurrentQueue<int> FilterInstances { get; } = new();
    }

    /// <summary>An area filter written as a class, with a dependency: the <c>@sse.before_request</c> of the seed.</summary>
    internal sealed class SecretChannelFilter(SeenRequests seen) : IAsyncActionFilter
    {
        public Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
        {
            seen.FilterInstances.Enqueue(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this));
            var request = context.HttpContext.GetSseStreamRequest()!;
            seen.Requests[request.Channels[0]] = request;
            if (request.Channels.Contains("secret"))
            {
                context.Result = new SseChannelRefusedResult("secret", "Nobody may follow it.");
                return Task.CompletedTask;
            }

            return next();
        }
    }

    /// <summary>A second area filter: every registered filter runs, in registration order.</summary>
    internal sealed class BlockedChannelFilter : IAsyncActionFilter
    {
        public Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
        {
            if (context.HttpContext.GetSseStreamRequest()!.Channels.Contains("blocked"))
            {
                context.Result = new SseChannelRefusedResult("blocked", "Refused by an access rule of the site.");
                return Task.CompletedTask;
            }

            return next();
        }
    }
}
