using System.Net;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Sample;

/// <summary>
/// SampleSite as shipped: cookie sign-in through the real login form, the admin-only
/// <c>analytics</c> channel and page, fed by its background service, and who may publish to it.
/// </summary>
[CancelAfter(60_000)]
public sealed class SampleSiteSignInTests : SiteFixture<Program>
{
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
    public async Task Logout_EndsTheAdminsOpenAnalyticsStream_AndItsReconnectIsRefused()
    {
        using var http = Client();
        await SignInAsync(http, "admin", "admin");
        await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=analytics");

        var token = await SampleForms.AntiforgeryTokenAsync(http, "/analytics");
        using var logout = await http.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        await stream.ReadToEndAsync(TimeSpan.FromSeconds(10)); // the stream ends, at once
        using var reconnect = await http.GetAsync("/sse/stream?channel=analytics");

        Assert.That(reconnect.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }

    [Test]
    public async Task Logout_EndsTheSession()
    {
        using var http = Client();
        await SignInAsync(http, "admin", "admin");

        var token = await SampleForms.AntiforgeryTokenAsync(http, "/analytics");
        using var logout = await http.PostAsync("/account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        using var response = await http.GetAsync("/sse/stream?channel=analytics");

        Assert.That(logout.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
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

        var token = await SampleForms.AntiforgeryTokenAsync(http, "/");
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

    private HttpClient Client() => Site.CreateClient(followRedirects: false);

    private static async Task<HttpStatusCode> SignInAsync(HttpClient http, string user, string password)
    {
        var token = await SampleForms.AntiforgeryTokenAsync(http, "/account/login");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["UserName"] = user,
            ["Password"] = password,
            ["__RequestVerificationToken"] = token,
        });
        using var response = await http.PostAsync("/account/login", form);
        return response.StatusCode;
    }
}
