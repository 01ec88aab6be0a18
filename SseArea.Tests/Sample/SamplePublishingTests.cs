using System.Net;
using System.Text.Json;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Sample;

/// <summary>SampleSite's home page, <c>/hello</c> and publish form, over HTTP, on each broker.</summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class SamplePublishingTests(BrokerKind broker) : SiteFixture<Program>
{
    private protected override TestSiteOptions SiteOptions => new() { Broker = broker };

    [Test]
    public async Task Hello_PublishesTheGreetingOnTheDefaultChannel()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream");

        var answer = await Http.GetStringAsync("/hello");

        Assert.That(answer, Is.EqualTo("Message sent!"));
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("event:greeting\ndata:{\"message\":\"Hello!\"}\n\n"));
    }

    [Test]
    public async Task HomePage_ShowsTheLiveFeedOfTheDefaultChannel()
    {
        var html = await Http.GetStringAsync("/");

        Assert.That(html, Does.Contain("<sse-stream id=\"feed-stream\" class=\"badge\" src=\"/sse/stream?channel=sse\" events=\"greeting,status,alert\" target=\"#feed\">"));
    }

    [Test]
    public async Task PublishForm_PublishesTextToTheNamedChannel()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=form.channel");
        var token = await SampleForms.AntiforgeryTokenAsync(Http);

        using var response = await Http.PostAsync("/publish", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Channel"] = "form.channel",
            ["Type"] = "status",
            ["Message"] = "posted\nfrom the form",
        }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "redirected back to the feed");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("event:status\ndata:posted\ndata:from the form\n\n"));
    }

    [Test]
    public async Task PublishForm_WithAnEventTypeTheFeedDoesNotHear_IsRefused()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=form.types");
        var token = await SampleForms.AntiforgeryTokenAsync(Http);

        using var refused = await Http.PostAsync("/publish", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Channel"] = "form.types",
            ["Type"] = "unheard",
            ["Message"] = "lost?",
        }));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("Choose one of the event types"));

        await Publisher.PublishAsync("only this", channel: "form.types");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:only this\n\n"), "the refused form published nothing");
    }

    [Test]
    public async Task PublishForm_PostedByScript_AnswersJsonAndReportsBadChannels()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=form.json");
        var token = await SampleForms.AntiforgeryTokenAsync(Http);

        async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string channel)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/publish")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token,
                    ["Channel"] = channel,
                    ["Message"] = "from script",
                }),
            };
            request.Headers.Accept.ParseAdd("application/json");
            using var response = await Http.SendAsync(request);
            return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
        }

        var sent = await PostAsync("form.json");
        Assert.That(sent.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(sent.Body.GetProperty("receivers").GetInt64(), Is.EqualTo(1));
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:from script\n\n"));

        var refused = await PostAsync("bad\u0001channel");
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refused.Body.GetProperty("errors").GetProperty("Channel")[0].GetString(), Does.Contain("control character").And.Not.Contain("(Parameter"));
    }

    [Test]
    public async Task PublishForm_WithoutAntiforgeryToken_IsRefused()
    {
        using var response = await Http.PostAsync("/publish", new FormUrlEncodedContent(new Dictionary<string, string> { ["Message"] = "forged" }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }
}
