using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using SseArea.Access;

namespace SseArea.Tests.Unit;

/// <summary>The area's filters in isolation: rules, the delegate filter, the refusal guard, the request parser.</summary>
public sealed class AccessFilterTests
{
    private Mock<IAuthorizationService> _authorization = null!;

    [SetUp]
    public void CreateAuthorization()
        => _authorization = new Mock<IAuthorizationService>(MockBehavior.Strict);

    [TestCase("")]
    [TestCase("a*b")]
    [TestCase("**")]
    [TestCase("*.admin")]
    public void Rule_WithStarBeforeTheEnd_OrEmpty_Throws(string rule)
    {
        var error = Assert.Catch<ArgumentException>(() => _ = new SseChannelAccessAttribute(rule));

        Assert.That(error!.ParamName, Is.EqualTo("channel"));
    }

    [TestCase("analytics", "analytics", true)]
    [TestCase("analytics", "analytics2", false)]
    [TestCase("analytics", "Analytics", false)]
    [TestCase("admin.*", "admin.audit", true)]
    [TestCase("admin.*", "admin.", true)]
    [TestCase("admin.*", "admin", false)]
    [TestCase("admin.*", "administrator", false)]
    [TestCase("*", "anything", true)]
    public void Rule_Matches_ExactNamesOrPrefixes(string rule, string channel, bool matches)
        => Assert.That(new SseChannelAccessAttribute(rule).Matches(channel), Is.EqualTo(matches));

    [Test]
    public void Roles_AreSplitOnCommasAndTrimmed()
        => Assert.That(new SseChannelAccessAttribute("a") { Roles = " Admin , ,Auditor" }.Roles, Is.EqualTo("Admin,Auditor"));

    [TestCase("")]
    [TestCase(" , ")]
    public void Roles_NamingNoRole_Throw_RatherThanAdmitAnySignedInUser(string roles)
        => Assert.Catch<ArgumentException>(() => _ = new SseChannelAccessAttribute("analytics") { Roles = roles });

    [Test]
    public async Task Rule_OutsideTheArea_DoesNothing()
    {
        var (context, next) = Context(request: null, Anonymous());

        await new SseChannelAccessAttribute("*").OnActionExecutionAsync(context, next.Invoke);

        Assert.That(next.Calls, Is.EqualTo(1));
        Assert.That(context.Result, Is.Null);
    }

    [Test]
    public async Task Rule_NotMatchingAnyChannel_AdmitsAnonymousWithoutAskingThePolicy()
    {
        var (context, next) = Context(new SseStreamRequest(["news", "sport"]), Anonymous());

        await new SseChannelAccessAttribute("admin.*") { Policy = "Admins" }.OnActionExecutionAsync(context, next.Invoke);

        Assert.That(next.Calls, Is.EqualTo(1));
        _authorization.VerifyNoOtherCalls();
    }

    [Test]
    public async Task Rule_MatchingAChannel_RefusesAnonymous_NamingTheMatchedChannels()
    {
        var (context, next) = Context(new SseStreamRequest(["news", "admin.a", "admin.b"]), Anonymous());

        await new SseChannelAccessAttribute("admin.*").OnActionExecutionAsync(context, next.Invoke);

        Assert.That(next.Calls, Is.Zero);
        var refused = context.Result as SseChannelRefusedResult;
        Assert.That(refused?.Channels, Is.EqualTo(new[] { "admin.a", "admin.b" }));
        Assert.That(refused?.Reason, Does.Contain("Sign in"));
    }

    [TestCase("Auditor", true)]
    [TestCase("Admin", true)]
    [TestCase("Guest", false)]
    [TestCase(null, false)]
    public async Task Rule_WithRoles_AdmitsAnyListedRole(string? role, bool admitted)
    {
        var (context, next) = Context(new SseStreamRequest(["analytics"]), User(role));

        await new SseChannelAccessAttribute("analytics") { Roles = "Admin,Auditor" }.OnActionExecutionAsync(context, next.Invoke);

        Assert.That(next.Calls, Is.EqualTo(admitted ? 1 : 0));
        Assert.That(context.Result, admitted ? Is.Null : Is.InstanceOf<SseChannelRefusedResult>());
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task Rule_WithPolicy_AsksTheAuthorizationService(bool succeeds)
    {
        var user = User(role: null);
        _authorization.Setup(a => a.AuthorizeAsync(user, null, "Beta"))
            .ReturnsAsync(succeeds ? AuthorizationResult.Success() : AuthorizationResult.Failed());
        var (context, next) = Context(new SseStreamRequest(["beta"]), user);

        await new SseChannelAccessAttribute("beta") { Policy = "Beta" }.OnActionExecutionAsync(context, next.Invoke);

        Assert.That(next.Calls, Is.EqualTo(succeeds ? 1 : 0));
        _authorization.Verify(a => a.AuthorizeAsync(user, null, "Beta"), Times.Once);
    }

    [Test]
    public async Task Rule_WithRolesAndPolicy_NeedsBoth_AndSkipsThePolicyWhenTheRoleFails()
    {
        var (context, next) = Context(new SseStreamRequest(["beta"]), User("Guest"));

        await new SseChannelAccessAttribute("beta") { Roles = "Tester", Policy = "Beta" }.OnActionExecutionAsync(context, next.Invoke);

        Assert.That(next.Calls, Is.Zero);
        _authorization.VerifyNoOtherCalls();
    }

    [Test]
    public async Task DelegateFilter_AnsweringFalse_RefusesEveryRequestedChannel()
    {
        var (context, next) = Context(new SseStreamRequest(["a", "b"]), Anonymous());
        var filter = new SseDelegateFilter((request, http) => ValueTask.FromResult(request.Channels.Count < 2));

        await filter.OnActionExecutionAsync(context, next.Invoke);

        Assert.That(next.Calls, Is.Zero);
        Assert.That((context.Result as SseChannelRefusedResult)?.Channels, Is.EqualTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task DelegateFilter_AnsweringTrue_RunsTheAction()
    {
        var (context, next) = Context(new SseStreamRequest(["a"]), Anonymous());

        await new SseDelegateFilter((_, _) => ValueTask.FromResult(true)).OnActionExecutionAsync(context, next.Invoke);

        Assert.That(next.Calls, Is.EqualTo(1));
    }

    [Test]
    public void Guard_TurnsForbidAndChallengeIntoRefusals_AndLeavesOtherResults()
    {
        foreach (var result in new IActionResult[] { new ForbidResult(), new ChallengeResult("Cookies") })
        {
            var context = ResultContext(result, new SseStreamRequest(["analytics"]));
            new SseRefusalGuard().OnResultExecuting(context);
            Assert.That((context.Result as SseChannelRefusedResult)?.Channels, Is.EqualTo(new[] { "analytics" }), result.GetType().Name);
        }

        var ok = new OkResult();
        var other = ResultContext(ok, new SseStreamRequest(["analytics"]));
        new SseRefusalGuard().OnResultExecuting(other);
        Assert.That(other.Result, Is.SameAs(ok));
    }

    [Test]
    public void Guard_BeforeTheRequestWasParsed_NamesTheQuerysChannelsOrTheDefault()
    {
        var named = ResultContext(new ChallengeResult(), request: null, query: "?channel=x&channel=&channel=y&channel=x");
        var none = ResultContext(new ChallengeResult(), request: null, query: "");

        new SseRefusalGuard().OnResultExecuting(named);
        new SseRefusalGuard().OnResultExecuting(none);

        Assert.That((named.Result as SseChannelRefusedResult)?.Channels, Is.EqualTo(new[] { "x", "y" }));
        Assert.That((none.Result as SseChannelRefusedResult)?.Channels, Is.EqualTo(new[] { "lobby" }));
    }

    [TestCase("?channel=a&channel=&channel=b&channel=a", null, new[] { "a", "b" }, null)]
    [TestCase("", "17", new[] { "lobby" }, "17")]
    [TestCase("?lastEventId=5", "", new[] { "lobby" }, "5")]
    [TestCase("?lastEventId=5", "9", new[] { "lobby" }, "9")]
    public void RequestParser_DefaultsChannels_AndPrefersTheHeaderForLastEventId(string query, string? header, string[] channels, string? lastEventId)
    {
        var http = new DefaultHttpContext();
        http.Request.QueryString = new QueryString(query);
        if (header is not null)
        {
            http.Request.Headers["Last-Event-ID"] = header;
        }

        var request = Parser().Read(http.Request, out var error);

        Assert.That(error, Is.Null);
        Assert.That(request!.Channels, Is.EqualTo(channels));
        Assert.That(request.LastEventId, Is.EqualTo(lastEventId));
    }

    [Test]
    public async Task RequestParser_InvalidChannel_Answers400AndStopsThePipeline()
    {
        var http = Http(Anonymous());
        http.Request.QueryString = new QueryString("?channel=%00");
        var context = new ResourceExecutingContext(new ActionContext(http, new RouteData(), new ActionDescriptor()), [], []);
        var called = false;

        await Parser().OnResourceExecutionAsync(context, () => { called = true; return Task.FromResult<ResourceExecutedContext>(null!); });

        Assert.That(called, Is.False);
        Assert.That((context.Result as ObjectResult)?.StatusCode, Is.EqualTo(400));
        Assert.That(http.GetSseStreamRequest(), Is.Null);
    }

    [Test]
    public void StreamRequest_WithoutChannels_Throws()
    {
        Assert.That(Assert.Catch<ArgumentException>(() => _ = new SseStreamRequest([]))!.ParamName, Is.EqualTo("channels"));
        Assert.That(Assert.Catch<ArgumentException>(() => _ = new SseStreamRequest(["a", ""]))!.ParamName, Is.EqualTo("channels"));
    }

    [Test]
    public void RefusedResult_WithoutChannels_Throws()
        => Assert.That(Assert.Catch<ArgumentException>(() => _ = new SseChannelRefusedResult(Array.Empty<string>()))!.ParamName, Is.EqualTo("channels"));

    private static SseStreamRequestFilter Parser()
        => new(Options.Create(new SseOptions { DefaultChannel = "lobby" }), NullLogger<SseStreamRequestFilter>.Instance);

    private static ClaimsPrincipal Anonymous() => new(new ClaimsIdentity());

    private static ClaimsPrincipal User(string? role)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, "someone") };
        if (role is not null)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, "Test"));
    }

    private DefaultHttpContext Http(ClaimsPrincipal user)
    {
        var services = new ServiceCollection()
            .AddSingleton(_authorization.Object)
            .AddSingleton(Options.Create(new SseOptions { DefaultChannel = "lobby" }))
            .AddLogging()
            .AddMvcCore().Services
            .BuildServiceProvider();
        return new DefaultHttpContext { User = user, RequestServices = services };
    }

    private (ActionExecutingContext Context, NextAction Next) Context(SseStreamRequest? request, ClaimsPrincipal user)
    {
        var http = Http(user);
        if (request is not null)
        {
            http.Features.Set(request);
        }

        var context = new ActionExecutingContext(new ActionContext(http, new RouteData(), new ActionDescriptor()), [], new Dictionary<string, object?>(), controller: new object());
        return (context, new NextAction(context));
    }

    private ResultExecutingContext ResultContext(IActionResult result, SseStreamRequest? request, string query = "")
    {
        var http = Http(Anonymous());
        http.Request.QueryString = new QueryString(query);
        if (request is not null)
        {
            http.Features.Set(request);
        }

        return new ResultExecutingContext(new ActionContext(http, new RouteData(), new ActionDescriptor()), [], result, controller: new object());
    }

    /// <summary>The rest of the pipeline, counting whether a filter let the request through.</summary>
    private sealed class NextAction(ActionExecutingContext context)
    {
        public int Calls { get; private set; }

        public Task<ActionExecutedContext> Invoke()
        {
            Calls++;
            return Task.FromResult(new ActionExecutedContext(context, [], context.Controller));
        }
    }
}
