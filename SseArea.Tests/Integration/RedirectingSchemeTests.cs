using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// An application whose scheme answers a challenge or a refusal with a redirect (cookie
/// authentication, as a site with a login page has): no redirect ever answers a stream request,
/// whoever refuses it; other endpoints keep the application's own answer.
/// </summary>
[CancelAfter(60_000)]
public sealed class RedirectingSchemeTests : TestSiteFixture
{
    private protected override TestSiteOptions SiteOptions => new()
    {
        Services = services =>
        {
            AddCookieSignIn(services);
            services.AddSse().AddChannelAccess("analytics", roles: "Admin").AddAreaFilter<ForbiddingFilter>();
        },
    };

    [TestCase("analytics", TestName = "rule refusal: 403, not a redirect to the login page")]
    [TestCase("forbid-me", TestName = "a filter's Forbid(): 403, not a redirect to the access-denied page")]
    [TestCase("challenge-me", TestName = "a filter's Challenge(): 403, not a redirect to the login page")]
    public async Task AnonymousStreamRefusal_Is403ProblemNeverARedirect(string channel)
    {
        using var http = Site.CreateClient(followRedirects: false);

        using var response = await http.GetAsync($"/sse/stream?channel={channel}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"Location: {response.Headers.Location}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain($"'{channel}'"));
    }

    [Test]
    public async Task AuthorizationMiddlewareChallenge_OnTheStream_Is403Problem_WhilePagesStillRedirectToLogin()
    {
        // A fallback policy is enforced by the authorization middleware, before MVC and its filters.
        await using var site = await TestSite.StartAsync(new TestSiteOptions
        {
            Services = services =>
            {
                AddCookieSignIn(services);
                services.AddAuthorization(options => options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
            },
        });
        using var http = site.CreateClient(followRedirects: false);

        using var stream = await http.GetAsync("/sse/stream?channel=users.social");
        using var page = await http.GetAsync("/test/page");

        Assert.That(stream.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"Location: {stream.Headers.Location}");
        Assert.That(stream.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await stream.Content.ReadAsStringAsync(), Does.Contain("'users.social'").And.Contain("Sign in"));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "other endpoints keep the app's own answer");
        Assert.That(page.Headers.Location?.AbsolutePath, Is.EqualTo("/account/login"));
    }

    /// <summary>Cookie authentication answers challenges and refusals, with redirects to its pages.</summary>
    private static void AddCookieSignIn(IServiceCollection services)
    {
        services.AddAuthentication().AddCookie(options =>
        {
            options.LoginPath = "/account/login";
            options.AccessDeniedPath = "/account/denied";
        });
        services.PostConfigure<AuthenticationOptions>(options =>
        {
            options.DefaultChallengeScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            options.DefaultForbidScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        });
    }

    /// <summary>A filter that refuses the MVC way: with results a cookie scheme turns into redirects.</summary>
    private sealed class ForbiddingFilter : IAsyncActionFilter
    {
        public Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
        {
            var channels = context.HttpContext.GetSseStreamRequest()!.Channels;
            if (channels.Contains("forbid-me"))
            {
                context.Result = new ForbidResult();
                return Task.CompletedTask;
            }

            if (channels.Contains("challenge-me"))
            {
                context.Result = new ChallengeResult();
                return Task.CompletedTask;
            }

            return next();
        }
    }
}
