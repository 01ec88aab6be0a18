using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Authorization;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using SseArea.Internal.Access;
using SseArea.Internal.Http;

namespace SseArea.Tests.Unit;

/// <summary>
/// The area's access filter in isolation, with ASP.NET Core's own authorization behind it: the endpoint's
/// authorization, the request parser, channel rules (roles, policies, schemes), and the refusal guard.
/// </summary>
public sealed class AccessFilterTests
{
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

    [TestCase("")]
    [TestCase(" , ")]
    public void Roles_NamingNoRole_Throw_RatherThanAdmitAnySignedInUser(string roles)
        => Assert.Catch<ArgumentException>(() => _ = new SseChannelAccessAttribute("analytics") { Roles = roles });

    [Test]
    public async Task Rule_NotMatchingAnyChannel_AdmitsAnonymous_WithoutEvaluatingIt()
    {
        // "Undefined" names no policy: evaluating the rule would throw.
        var outcome = await RunAsync("?channel=news&channel=sport", Anonymous(), [new SseChannelAccessAttribute("admin.*") { Policy = "Undefined" }]);

        Assert.That(outcome.Admitted, Is.True);
    }

    [Test]
    public async Task Rule_MatchingAChannel_RefusesAnonymous_NamingOnlyTheMatchedChannels()
    {
        var outcome = await RunAsync("?channel=news&channel=admin.a&channel=admin.b", Anonymous(), [new SseChannelAccessAttribute("admin.*")]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Admitted, Is.False);
            Assert.That(outcome.Refusal?.Channels, Is.EqualTo(new[] { "admin.a", "admin.b" }));
            Assert.That(outcome.Refusal?.Reason, Is.EqualTo("Sign in to follow this channel."));
        }
    }

    [TestCase("Auditor", true)]
    [TestCase("Admin", true)]
    [TestCase("Guest", false)]
    [TestCase(null, false)]
    public async Task Rule_WithRoles_AdmitsAnyListedRole_TrimmedAsAuthorizeDoes(string? role, bool admitted)
    {
        var outcome = await RunAsync("?channel=analytics", User(role), [new SseChannelAccessAttribute("analytics") { Roles = " Admin , ,Auditor" }]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Admitted, Is.EqualTo(admitted));
            Assert.That(outcome.Refusal?.Reason, admitted ? Is.Null : Is.EqualTo(role is null ? "Sign in to follow this channel." : "It requires one of the roles Admin, Auditor."));
        }
    }

    [TestCase("beta", true)]
    [TestCase("other", false)]
    public async Task Rule_WithPolicy_IsEvaluatedByTheApplicationsPolicy(string claim, bool admitted)
    {
        var outcome = await RunAsync("?channel=beta", User(role: null, claim), [new SseChannelAccessAttribute("beta") { Policy = "Beta" }]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Admitted, Is.EqualTo(admitted));
            Assert.That(outcome.Refusal?.Reason, admitted ? Is.Null : Is.EqualTo("It requires the policy Beta."));
        }
    }

    [Test]
    public async Task Rule_WithRolesAndPolicy_NeedsBoth()
    {
        var rule = new SseChannelAccessAttribute("beta") { Roles = "Tester", Policy = "Beta" };
        var roleOnly = await RunAsync("?channel=beta", User("Tester"), [rule]);
        var both = await RunAsync("?channel=beta", User("Tester", "beta"), [rule]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(roleOnly.Refusal?.Reason, Is.EqualTo("It requires the role Tester and the policy Beta."));
            Assert.That(both.Admitted, Is.True);
        }
    }

    [TestCase("yes", true)]
    [TestCase(null, false)]
    public async Task Rule_WithAuthenticationSchemes_AuthenticatesWithThem_ForThatRuleOnly(string? header, bool admitted)
    {
        // Nobody is signed in by the default scheme: only the rule's own scheme can admit.
        var outcome = await RunAsync("?channel=ops", Anonymous(), [new SseChannelAccessAttribute("ops") { AuthenticationSchemes = HeaderScheme.Name }], header: header);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Admitted, Is.EqualTo(admitted));
            Assert.That(outcome.Http.User.Identity?.IsAuthenticated, Is.False, "the request's own user is put back");
        }
    }

    [Test]
    public async Task Rule_WithAuthenticationSchemes_DoesNotSignInTheUserOfTheNextRule()
    {
        var byHeader = new SseChannelAccessAttribute("ops") { AuthenticationSchemes = HeaderScheme.Name };
        var signedIn = new SseChannelAccessAttribute("ops");

        var outcome = await RunAsync("?channel=ops", Anonymous(), [byHeader, signedIn], header: "yes");

        Assert.That(outcome.Refusal?.Reason, Is.EqualTo("Sign in to follow this channel."), "the second rule sees the request's anonymous user");
    }

    [Test]
    public async Task Rule_WithOnlyAPolicy_StillNeedsASignedInUser()
    {
        var rule = new SseChannelAccessAttribute("open") { Policy = "Anyone" };

        var anonymous = await RunAsync("?channel=open", Anonymous(), [rule]);
        var signedIn = await RunAsync("?channel=open", User("Guest"), [rule]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(anonymous.Refusal?.Reason, Is.EqualTo("Sign in to follow this channel."));
            Assert.That(signedIn.Admitted, Is.True);
        }
    }

    [Test]
    public async Task EveryMatchingRule_MustPass()
    {
        var outcome = await RunAsync("?channel=admin.audit", User("Admin"), [new SseChannelAccessAttribute("admin.*") { Roles = "Admin" }, new SseChannelAccessAttribute("admin.audit") { Roles = "Auditor" }]);

        Assert.That(outcome.Refusal?.Reason, Is.EqualTo("It requires the role Auditor."));
    }

    [TestCase(null, false)]
    [TestCase("Admin", true)]
    [TestCase("Guest", false)]
    public async Task EndpointAuthorize_IsEnforcedFirst_WithTheAreasRefusal(string? role, bool admitted)
    {
        // What [Authorize(Roles = "Admin")] on a derived controller puts in the endpoint's metadata.
        var outcome = await RunAsync("?channel=x&channel=y&channel=x", User(role), [new AuthorizeAttribute { Roles = "Admin" }]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Admitted, Is.EqualTo(admitted));
            Assert.That(outcome.Refusal?.Channels, admitted ? Is.Null : Is.EqualTo(new[] { "x", "y" }), "named as asked, before parsing");
            Assert.That(outcome.Refusal?.Reason, admitted ? Is.Null : Is.EqualTo(role is null ? "Sign in to follow this stream." : "The signed-in user may not follow this stream."));
        }
    }

    [Test]
    public async Task EndpointAuthorize_RunsBeforeTheRequestIsChecked()
    {
        var outcome = await RunAsync("?channel=%00", Anonymous(), [new AuthorizeAttribute()]);

        Assert.That(outcome.Refusal, Is.Not.Null, "403 before 400, as the authorization middleware would answer");
    }

    [Test]
    public async Task FallbackPolicy_AppliesWhenTheEndpointNamesNone_AndTheAppsAllowAnonymousLiftsIt()
    {
        var refused = await RunAsync("?channel=x", Anonymous(), [], requireSignIn: true, swapped: true);
        var lifted = await RunAsync("?channel=x", Anonymous(), [new AllowAnonymousAttribute()], requireSignIn: true, swapped: true);
        var signedIn = await RunAsync("?channel=x", User("Guest"), [], requireSignIn: true, swapped: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(refused.Refusal?.Reason, Is.EqualTo("Sign in to follow this stream."));
            Assert.That(lifted.Admitted, Is.True);
            Assert.That(signedIn.Admitted, Is.True);
        }
    }

    [Test]
    public async Task SwappedEndpoint_SaysNothingOfAnonymousAccess_AndItsOriginalAuthorizationIsEnforced()
    {
        var swapped = Swap([new AuthorizeAttribute { Roles = "Admin" }, new AuthorizeAttribute { Policy = "Beta" }]);

        var guest = await RunAsync("?channel=x", User("Guest", "beta"), [], swapped: true, endpoint: swapped);
        var admin = await RunAsync("?channel=x", User("Admin", "beta"), [], swapped: true, endpoint: swapped);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(swapped.Metadata.GetMetadata<IAllowAnonymous>(), Is.Null, "the app's own code honouring [AllowAnonymous] must not admit streams");
            Assert.That(swapped.Metadata.GetOrderedMetadata<IAuthorizeData>(), Is.Empty, "the middleware has nothing to challenge");
            Assert.That(swapped.Metadata.GetMetadata<AuthorizationPolicy>(), Is.SameAs(SseDeferredAuthorization.Policy));
            Assert.That(guest.Refusal?.Reason, Is.EqualTo("The signed-in user may not follow this stream."));
            Assert.That(admin.Admitted, Is.True);
        }
    }

    [Test]
    public async Task GlobalAuthorizeFilter_OfMvc_IsApplied()
    {
        var filter = new AuthorizeFilter(new AuthorizationPolicyBuilder().RequireRole("Admin").Build());

        var refused = await RunAsync("?channel=x", User("Guest"), [], filters: [filter]);
        var admitted = await RunAsync("?channel=x", User("Admin"), [], filters: [filter]);

        Assert.That((refused.Admitted, admitted.Admitted), Is.EqualTo((false, true)));
    }

    [TestCase("?channel=%00", "holds a control character")]
    [TestCase("?channel=%FF", "is not UTF-8 text")]
    public async Task InvalidRequest_Answers400_AndStopsThePipeline(string query, string reason)
    {
        var outcome = await RunAsync(query, Anonymous(), []);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outcome.Admitted, Is.False);
            Assert.That((outcome.Result as ObjectResult)?.StatusCode, Is.EqualTo(400));
            Assert.That(((outcome.Result as ObjectResult)?.Value as ProblemDetails)?.Detail, Does.Contain(reason));
            Assert.That(outcome.Http.GetSseStreamRequest(), Is.Null);
        }
    }

    [TestCase("?channel=a&channel=&channel=b&channel=a", null, new[] { "a", "b" }, null)]
    [TestCase("", "17", new[] { "lobby" }, "17")]
    [TestCase("?lastEventId=5", "", new[] { "lobby" }, "5")]
    [TestCase("?lastEventId=5", "9", new[] { "lobby" }, "9")]
    public void RequestReader_DefaultsChannels_AndPrefersTheHeaderForLastEventId(string query, string? header, string[] channels, string? lastEventId)
    {
        var http = new DefaultHttpContext();
        http.Request.QueryString = new QueryString(query);
        if (header is not null)
        {
            http.Request.Headers["Last-Event-ID"] = header;
        }

        var request = SseRequestReader.Read(http.Request, new SseOptions { DefaultChannel = "lobby" }, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error, Is.Null);
            Assert.That(request!.Channels, Is.EqualTo(channels));
            Assert.That(request.LastEventId, Is.EqualTo(lastEventId));
        }
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

    [Test]
    public void StreamRequest_WithoutChannels_Throws()
    {
        Assert.That(Assert.Catch<ArgumentException>(() => _ = new SseStreamRequest([]))!.ParamName, Is.EqualTo("channels"));
        Assert.That(Assert.Catch<ArgumentException>(() => _ = new SseStreamRequest(["a", ""]))!.ParamName, Is.EqualTo("channels"));
    }

    [Test]
    public void RefusedResult_WithoutChannels_Throws()
        => Assert.That(Assert.Catch<ArgumentException>(() => _ = new SseChannelRefusedResult(Array.Empty<string>()))!.ParamName, Is.EqualTo("channels"));

    private static ClaimsPrincipal Anonymous() => new(new ClaimsIdentity());

    private static ClaimsPrincipal User(string? role, string? claim = null)
    {
        if (role is null && claim is null)
        {
            return Anonymous();
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, "someone") };
        if (role is not null)
        {
            claims.Add(new Claim(ClaimTypes.Role, role));
        }

        if (claim is not null)
        {
            claims.Add(new Claim(claim, "yes"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, "Test"));
    }

    private static DefaultHttpContext Http(ClaimsPrincipal user, bool requireSignIn = false)
    {
        var services = new ServiceCollection()
            .AddSingleton(Options.Create(new SseOptions { DefaultChannel = "lobby" }))
            .AddLogging()
            .AddAuthorization(options =>
            {
                options.AddPolicy("Beta", policy => policy.RequireClaim("beta"));
                options.AddPolicy("Anyone", policy => policy.RequireAssertion(_ => true));
                if (requireSignIn)
                {
                    options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
                }
            })
            .AddMvcCore().Services;
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, HeaderScheme>(HeaderScheme.Name, null);
        return new DefaultHttpContext { User = user, RequestServices = services.BuildServiceProvider() };
    }

    /// <summary>The endpoint <see cref="SseStreamEndpointPolicy"/> runs for a stream action with <paramref name="metadata"/>.</summary>
    private static Endpoint Swap(IList<object> metadata)
        => SseStreamEndpointPolicy.Wrap(new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse("sse/stream"), 0, new EndpointMetadataCollection(metadata), "stream"));

    private static async Task<Outcome> RunAsync(
        string query, ClaimsPrincipal user, IList<object> metadata, bool requireSignIn = false, string? header = null, IList<IFilterMetadata>? filters = null, bool swapped = false, Endpoint? endpoint = null)
    {
        var http = Http(user, requireSignIn);
        if (swapped)
        {
            http.SetEndpoint(endpoint ?? Swap(metadata));
        }

        http.Request.QueryString = new QueryString(query);
        if (header is not null)
        {
            http.Request.Headers[HeaderScheme.Name] = header;
        }

        var action = new ActionDescriptor { EndpointMetadata = metadata };
        var context = new ResourceExecutingContext(new ActionContext(http, new RouteData(), action), filters ?? [], []);
        var filter = new SseAccessFilter(new SseAuthorization(), http.RequestServices.GetRequiredService<IOptions<SseOptions>>(), NullLogger<SseAccessFilter>.Instance);
        var admitted = false;
        await filter.OnResourceExecutionAsync(context, () =>
        {
            admitted = true;
            return Task.FromResult<ResourceExecutedContext>(null!);
        });
        return new Outcome(http, admitted, context.Result);
    }

    private static ResultExecutingContext ResultContext(IActionResult result, SseStreamRequest? request, string query = "")
    {
        var http = Http(Anonymous());
        http.Request.QueryString = new QueryString(query);
        if (request is not null)
        {
            http.Features.Set(request);
        }

        return new ResultExecutingContext(new ActionContext(http, new RouteData(), new ActionDescriptor()), [], result, controller: new object());
    }

    private sealed record Outcome(HttpContext Http, bool Admitted, IActionResult? Result)
    {
        public SseChannelRefusedResult? Refusal => Result as SseChannelRefusedResult;
    }

    /// <summary>Signs in "header-user" when the request has a header of the scheme's name.</summary>
    private sealed class HeaderScheme(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        public const string Name = "X-Ops";

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
            => Task.FromResult(Request.Headers.ContainsKey(Name)
                ? AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.Name, "header-user")], Name)), Name))
                : AuthenticateResult.NoResult());
    }
}
