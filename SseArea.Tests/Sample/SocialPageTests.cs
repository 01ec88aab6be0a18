using System.Net;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Sample;

/// <summary>SampleSite's <c>/social</c> page over HTTP: its stream element and its antiforgery-protected form.</summary>
[CancelAfter(60_000)]
public sealed class SocialPageTests : SiteFixture<Program>
{
    [Test]
    public async Task SocialPage_FollowsUsersSocialWithStatusEvents()
    {
        var html = await Http.GetStringAsync("/social");

        Assert.That(html, Does.Contain("src=\"/sse/stream?channel=users.social\" events=\"status\""));
    }

    [Test]
    public async Task PostedStatus_IsPublishedAsJsonOnUsersSocial()
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
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("event:status\ndata:{\"user\":\"carol\",\"status\":\"Life is \\u003Cgood\\u003E!\"}\n\n"));
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
}
