using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SampleSite.Services;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Sample;

/// <summary>SampleSite's <c>/social</c> page over HTTP: its stream element and its antiforgery-protected form.</summary>
[CancelAfter(60_000)]
public sealed class SocialPageTests : SiteFixture<Program>
{
    [Test]
    public async Task SocialPage_FollowsUsersSocial_ApplyingItsActions()
    {
        var html = await Http.GetStringAsync("/social");

        Assert.That(html, Does.Match("<sse-stream [^>]*\\bactions\\b[^>]* src=\"/sse/stream\\?channel=users\\.social\">"));
    }

    [Test]
    public async Task PostedStatus_IsRenderedOnce_AndPublishedAsAPrependOnUsersSocial()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=users.social");
        var token = await SampleForms.AntiforgeryTokenAsync(Http, "/social");

        using var response = await Http.PostAsync("/social", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Name"] = "carol", // not a user of the site: anyone may post under it
            ["Status"] = "Life is <good>!",
        }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "redirected back to the page");
        var id = Site.Services.GetRequiredService<RecentStatuses>().Latest()[0].Id;
        var text = await stream.ReadEventAsync();
        Assert.That(text, Does.StartWith("data:<turbo-stream action=\"prepend\" target=\"statuses\"><template><li id=\"status-" + id + "\" class=\"status\">\n"));
        Assert.That(text, Does.Contain("\ndata:  <strong class=\"user\">carol</strong>\n"));
        Assert.That(text, Does.Contain("\ndata:  <p>Life is &lt;good&gt;!</p>\n"), "the text encoded by Razor");
        Assert.That(text, Does.EndWith("\ndata:</template></turbo-stream>\n\n"));
    }

    [Test]
    public async Task PostWithoutAntiforgeryToken_IsRefused()
    {
        using var response = await Http.PostAsync("/social", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Name"] = "mallory",
            ["Status"] = "forged",
        }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Delete_ByItsAuthor_PublishesARemove_AndNobodyElseMayDeleteIt()
    {
        var status = Site.Services.GetRequiredService<RecentStatuses>().Add("alice", "mine to delete", DateTimeOffset.UtcNow);
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=users.social");
        using var admin = await SignedInAsync("admin");
        using var alice = await SignedInAsync("alice");

        using var byAdmin = await DeleteAsync(admin, status.Id);
        using var unknown = await DeleteAsync(alice, "no-such-status");
        using var byAlice = await DeleteAsync(alice, status.Id);

        Assert.Multiple(async () =>
        {
            Assert.That(byAdmin.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
            Assert.That(await byAdmin.Content.ReadAsStringAsync(), Does.Contain("Only its author can delete a status."));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(byAlice.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo($"data:<turbo-stream action=\"remove\" target=\"status-{status.Id}\"></turbo-stream>\n\n"), "the only event: the refused deletes sent none");
        Assert.That(Site.Services.GetRequiredService<RecentStatuses>().Find(status.Id), Is.Null);
    }

    [Test]
    public async Task Delete_WhenNotSignedIn_GoesToTheSignInPage()
    {
        var status = Site.Services.GetRequiredService<RecentStatuses>().Add("alice", "still here", DateTimeOffset.UtcNow);
        using var anonymous = Site.CreateClient(followRedirects: false);
        var token = await SampleForms.AntiforgeryTokenAsync(anonymous, "/social");

        using var response = await anonymous.PostAsync("/social/delete", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["id"] = status.Id }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location?.ToString(), Does.Contain("/account/login"));
        Assert.That(Site.Services.GetRequiredService<RecentStatuses>().Find(status.Id), Is.Not.Null);
    }

    private async Task<HttpClient> SignedInAsync(string user)
    {
        var http = Site.CreateClient();
        var token = await SampleForms.AntiforgeryTokenAsync(http, "/account/login");
        using (await http.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["UserName"] = user, ["Password"] = user })))
        {
        }

        return http;
    }

    private static async Task<HttpResponseMessage> DeleteAsync(HttpClient http, string id)
    {
        var token = await SampleForms.AntiforgeryTokenAsync(http, "/social");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/social/delete")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["id"] = id }),
        };
        request.Headers.Accept.ParseAdd("application/json");
        return await http.SendAsync(request);
    }
}
