using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// SampleSite as shipped: cookie sign-in through the real login form, the admin-only
/// <c>analytics</c> channel fed by its background service, and no redirect to a login page ever
/// answering a stream request, whoever refuses it.
/// </summary>
[CancelAfter(60_000)]
public sealed partial class SampleSiteSignInTests
{
    private SampleSiteFactory _site = null!;

    [OneTimeSetUp]
    public async Task StartSiteAsync()
        => _site = await SampleSiteFactory.CreateAsync(BrokerKind.InMemory, services: services => services.AddSse()
            .AddAreaFilter<ForbiddingFilter>());

    [OneTimeTearDown]
    public async Task StopSiteAsync() => await _site.DisposeAsync();

    [TestCase("analytics", TestName = "rule refusal: 403, not a redirect to the login page")]
    [TestCase("forbid-me", TestName = "a filter's Forbid(): 403, not a redirect to the access-denied page")]
    [TestCase("challenge-me", TestName = "a filter's Challenge(): 403, not a redirect to the login page")]
    public async Task AnonymousStreamRefusal_Is403ProblemNeverARedirect(string channel)
    {
        using var http = Client();

        using var response = await http.GetAsync($"/sse/stream?channel={channel}");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"Location: {response.Headers.Location}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain($"'{channel}'"));
    }

    [Test]
    public async Task Admin_SignsInWithTheForm_AndReceivesLiveAnalyticsFigures()
    {
        using var http = Client();
        Assert.That(await SignInAsync(http, "admin", "admin"), Is.EqualTo(HttpStatusCode.Redirect));

        await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=analytics");

        // The background service publishes every 2 s while anyone follows the channel.
        var figures = await stream.ReadEventAsync(TimeSpan.FromSeconds(8));
        Assert.That(figures, Does.StartWith("event:figures\ndata:{\"time\":"));
        using var data = System.Text.Json.JsonDocument.Parse(figures.Split('\n')[1]["data:".Length..]);
        Assert.Multiple(() =>
        {
            Assert.That(data.RootElement.GetProperty("subscribers").GetProperty("analytics").GetInt64(), Is.EqualTo(1), "this stream, counted by ISseChannelStats");
            Assert.That(data.RootElement.GetProperty("connections").GetInt64(), Is.EqualTo(1), "this stream, read from the SseArea meter");
        });
    }

    [Test]
    public async Task UserWithoutTheRole_IsRefusedTheAnalyticsChannel()
    {
        using var http = Client();
        Assert.That(await SignInAsync(http, "alice", "alice"), Is.EqualTo(HttpStatusCode.Redirect));

        using var response = await http.GetAsync("/sse/stream?channel=analytics");
        using var social = await http.GetAsync("/sse/stream?channel=users.social", HttpCompletionOption.ResponseHeadersRead);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("It requires the role Admin."));
        Assert.That(social.StatusCode, Is.EqualTo(HttpStatusCode.OK), "users.social stays public");
    }

    [TestCase(null, null, HttpStatusCode.Redirect, "/account/login", TestName = "analytics page: anonymous goes to the login form")]
    [TestCase("alice", "alice", HttpStatusCode.Redirect, "/account/denied", TestName = "analytics page: alice goes to access denied")]
    [TestCase("admin", "admin", HttpStatusCode.OK, null, TestName = "analytics page: admin sees it")]
    public async Task AnalyticsPage_IsForAdmins(string? user, string? password, HttpStatusCode expected, string? location)
    {
        using var http = Client();
        if (user is not null)
        {
            await SignInAsync(http, user, password!);
        }

        using var response = await http.GetAsync("/analytics");

        Assert.That(response.StatusCode, Is.EqualTo(expected));
        if (location is not null)
        {
            Assert.That(response.Headers.Location?.AbsolutePath, Is.EqualTo(location));
        }
        else
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("/sse/stream?channel=analytics"));
        }
    }

    [Test]
    public async Task WrongPassword_ShowsTheFormAgain_AndSignsNobodyIn()
    {
        using var http = Client();

        Assert.That(await SignInAsync(http, "admin", "not-the-password"), Is.EqualTo(HttpStatusCode.OK));
        using var response = await http.GetAsync("/sse/stream?channel=analytics");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Login_WithoutAntiforgeryToken_IsRejected()
    {
        using var http = Client();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = "admin", ["Password"] = "admin" });

        using var response = await http.PostAsync("/account/login", form);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Logout_EndsTheSession()
    {
        using var http = Client();
        await SignInAsync(http, "admin", "admin");

        var token = await AntiforgeryTokenAsync(http, "/analytics");
        using var logout = await http.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        using var response = await http.GetAsync("/sse/stream?channel=analytics");

        Assert.That(logout.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task AuthorizationMiddlewareChallenge_OnTheStream_Is403Problem_WhilePagesStillRedirectToLogin()
    {
        // A fallback policy is enforced by the authorization middleware, before MVC and its filters.
        await using var site = await SampleSiteFactory.CreateAsync(BrokerKind.InMemory, services: services => services.AddAuthorization(options =>
            options.FallbackPolicy = new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build()));
        using var http = site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var stream = await http.GetAsync("/sse/stream?channel=users.social");
        using var page = await http.GetAsync("/social");

        Assert.That(stream.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"Location: {stream.Headers.Location}");
        Assert.That(stream.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await stream.Content.ReadAsStringAsync(), Does.Contain("'users.social'").And.Contain("Sign in"));
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "other endpoints keep the app's own answer");
        Assert.That(page.Headers.Location?.AbsolutePath, Is.EqualTo("/account/login"));
    }

    [TestCase(null, null, HttpStatusCode.BadRequest)]
    [TestCase("alice", "alice", HttpStatusCode.BadRequest)]
    [TestCase("admin", "admin", HttpStatusCode.OK)]
    public async Task PublishingToTheAnalyticsChannel_IsForAdminsOnly(string? user, string? password, HttpStatusCode expected)
    {
        using var http = Client();
        if (user is not null)
        {
            await SignInAsync(http, user, password!);
        }

        var token = await AntiforgeryTokenAsync(http, "/");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/publish")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["Channel"] = "analytics",
                ["Message"] = "spoofed figures",
                ["__RequestVerificationToken"] = token,
            }),
        };
        request.Headers.Accept.ParseAdd("application/json");

        using var response = await http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(expected), await response.Content.ReadAsStringAsync());
    }

    private HttpClient Client() => _site.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private static async Task<HttpStatusCode> SignInAsync(HttpClient http, string user, string password)
    {
        var token = await AntiforgeryTokenAsync(http, "/account/login");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = user,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        });
        using var response = await http.PostAsync("/account/login", form);
        return response.StatusCode;
    }

    private static async Task<string> AntiforgeryTokenAsync(HttpClient http, string page)
    {
        var html = await http.GetStringAsync(page);
        var match = TokenInput().Match(html);
        Assert.That(match.Success, Is.True, $"{page} holds an antiforgery token");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();

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
