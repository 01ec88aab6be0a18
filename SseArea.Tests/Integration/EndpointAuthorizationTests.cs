using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Authorization;
using Microsoft.Extensions.DependencyInjection;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// The stream endpoint's own authorization, put there the ways an app does (<c>RequireAuthorization()</c> on its
/// controllers, a global MVC <c>AuthorizeFilter</c>, the fallback policy), enforced through the swapped endpoint
/// with the area's 403; and the app's own code never told that the stream allows anonymous access.
/// </summary>
[CancelAfter(60_000)]
public sealed class EndpointAuthorizationTests
{
    private static readonly AuthorizationPolicy AdminsOnly = new AuthorizationPolicyBuilder().RequireRole("Admin").Build();

    [Test]
    public async Task RequireAuthorization_OnTheAppsControllers_IsEnforcedWithA403()
    {
        await using var site = await TestSite.StartAsync(new TestSiteOptions
        {
            Settings = { [TestSettings.ControllersPolicy] = "Admins" },
            Services = services => services.AddAuthorization(options => options.AddPolicy("Admins", AdminsOnly)),
        });

        await AssertOnlyAdminsStreamAsync(site);
    }

    [Test]
    public async Task GlobalAuthorizeFilter_OfMvc_IsEnforcedWithA403()
    {
        await using var site = await TestSite.StartAsync(services => services.Configure<MvcOptions>(mvc => mvc.Filters.Add(new AuthorizeFilter(AdminsOnly))));

        await AssertOnlyAdminsStreamAsync(site);
    }

    [Test]
    public async Task FallbackPolicy_IsEnforcedWithA403_AndASignedInUserStreams()
    {
        await using var site = await TestSite.StartAsync(services => services.AddAuthorization(options => options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()));

        await Problems.AssertAsync(await GetAsync(site, user: null), HttpStatusCode.Forbidden, "Sign in");
        Assert.That((await GetAsync(site, "alice")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task AppMiddlewareHonouringAllowAnonymous_StillGuardsTheStream()
    {
        // An app's own API-key check that lets [AllowAnonymous] endpoints through, after routing.
        await using var site = await TestSite.StartAsync(new TestSiteOptions
        {
            Middleware = app =>
            {
                app.UseRouting();
                app.Use(async (context, next) =>
                {
                    if (context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is null && !context.Request.Headers.ContainsKey("X-Api-Key"))
                    {
                        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return;
                    }

                    await next(context);
                });
            },
        });

        using var withoutKey = await GetAsync(site, user: null);
        using var withKey = await GetAsync(site, user: null, apiKey: true);

        Assert.That((withoutKey.StatusCode, withKey.StatusCode), Is.EqualTo((HttpStatusCode.Unauthorized, HttpStatusCode.OK)));
    }

    private static async Task AssertOnlyAdminsStreamAsync(TestSite<TestHost.Program> site)
    {
        await Problems.AssertAsync(await GetAsync(site, user: null), HttpStatusCode.Forbidden, "Sign in");
        await Problems.AssertAsync(await GetAsync(site, "alice"), HttpStatusCode.Forbidden, "may not follow");
        using var admin = await GetAsync(site, "admin", "Admin");

        Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(admin.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
    }

    private static async Task<HttpResponseMessage> GetAsync(TestSite<TestHost.Program> site, string? user, string? roles = null, bool apiKey = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/sse/stream?channel=guarded");
        request.Headers.SignIn(user, roles);
        if (apiKey)
        {
            request.Headers.Add("X-Api-Key", "key");
        }

        using var deadline = new CancellationTokenSource(SseTestStream.DefaultTimeout);
        return await site.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
    }
}
