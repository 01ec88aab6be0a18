using System.Net;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SseArea.Areas.Sse.Controllers;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// <c>[SseChannelAccess]</c> on the application's own controller derived from
/// <see cref="StreamController"/> (<see cref="AppStreamController"/>): its rules apply, and it is
/// the only action answering the stream route. A registered rule (<c>analytics</c>, admin-only)
/// applies beside them.
/// </summary>
[CancelAfter(60_000)]
public sealed class DerivedStreamControllerAccessTests : TestSiteFixture
{
    private protected override TestSiteOptions SiteOptions => new()
    {
        Services = services =>
        {
            services.AddMvcCore().ConfigureApplicationPartManager(parts => parts.ApplicationParts.Add(new TypesPart(typeof(AppStreamController))));
            services.AddSse().AddChannelAccess("analytics", roles: "Admin");
        },
    };

    [TestCase("vip", null, null, HttpStatusCode.Forbidden)]
    [TestCase("vip", "alice", null, HttpStatusCode.Forbidden)]
    [TestCase("vip", "admin", "Admin", HttpStatusCode.OK)]
    [TestCase("vip.lounge", "alice", null, HttpStatusCode.Forbidden)]
    [TestCase("vip.lounge", "admin", "Admin", HttpStatusCode.OK)]
    [TestCase("vipers", null, null, HttpStatusCode.OK)]
    [TestCase("analytics", "alice", null, HttpStatusCode.Forbidden)]
    public async Task AttributesOnTheDerivedController_AndRegisteredRules_BothApply(string channel, string? user, string? roles, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sse/stream?channel={channel}");
        request.Headers.SignIn(user, roles);

        using var response = await Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.That(response.StatusCode, Is.EqualTo(expected));
        if (expected == HttpStatusCode.OK)
        {
            Assert.That(response.Headers.GetValues("X-Stream-Controller"), Is.EqualTo(new[] { "app" }));
        }
    }

    [Test]
    public void ExactlyOneEndpoint_AnswersTheStreamRoute_TheApplicationsController()
    {
        var endpoints = Site.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.Trim('/') == "sse/stream")
            .ToList();

        Assert.That(endpoints, Has.Count.EqualTo(1));
        Assert.That(endpoints[0].Metadata.GetMetadata<ControllerActionDescriptor>()?.ControllerTypeInfo.AsType(), Is.EqualTo(typeof(AppStreamController)));
    }

    [Test]
    public async Task RuleNamingAnUndefinedPolicy_StopsStartupNamingTheRuleAndPolicy()
    {
        var error = Assert.CatchAsync(async () => await TestSite.StartAsync(new TestSiteOptions
        {
            Services = services => services.AddSse().AddChannelAccess("reports.*", policy: "ReportReaders"),
        }));

        Assert.That(error!.ToString(), Does.Contain("'reports.*'").And.Contain("'ReportReaders'"));
    }

    [TestCase(typeof(MisplacedRuleController))]
    [TestCase(typeof(MisplacedRuleOnActionController))]
    public async Task SseChannelAccess_WhereItHasNoEffect_StopsStartupNamingTheType(Type misplaced)
    {
        var error = Assert.CatchAsync(async () => await TestSite.StartAsync(new TestSiteOptions
        {
            Services = services => services.AddMvcCore().ConfigureApplicationPartManager(parts => parts.ApplicationParts.Add(new TypesPart(misplaced))),
        }));

        Assert.That(error!.ToString(), Does.Contain(misplaced.FullName).And.Contain("AddChannelAccess"));
    }

    /// <summary>A rule on the app's own controller, outside the Sse area: it would protect nothing.</summary>
    [SseChannelAccess("users.social", Roles = "Admin")]
    public sealed class MisplacedRuleController : Microsoft.AspNetCore.Mvc.Controller
    {
        public string Index() => Request.Path;
    }

    /// <summary>A rule on an action of the app's own controller.</summary>
    public sealed class MisplacedRuleOnActionController : Microsoft.AspNetCore.Mvc.Controller
    {
        [SseChannelAccess("analytics", Roles = "Admin")]
        public string Index() => Request.Path;
    }
}
