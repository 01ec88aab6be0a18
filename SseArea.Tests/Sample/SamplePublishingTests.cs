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
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=news");
        var token = await SampleForms.AntiforgeryTokenAsync(Http);

        using var response = await Http.PostAsync("/publish", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Channel"] = "news",
            ["Type"] = "status",
            ["Message"] = "posted\nfrom the form",
        }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "redirected back to the feed");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("event:status\ndata:posted\ndata:from the form\n\n"));
    }

    [Test]
    public async Task PublishForm_WithAnEventTypeTheFeedDoesNotHear_IsRefused()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=alerts");
        var token = await SampleForms.AntiforgeryTokenAsync(Http);

        using var refused = await Http.PostAsync("/publish", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["Channel"] = "alerts",
            ["Type"] = "unheard",
            ["Message"] = "lost?",
        }));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("Choose one of the event types"));

        await Publisher.PublishAsync("only this", channel: "alerts");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:only this\n\n"), "the refused form published nothing");
    }

    [Test]
    public async Task PublishForm_PostedByScript_AnswersJsonAndReportsBadChannels()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=sse");
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

        var sent = await PostAsync("sse");
        Assert.That(sent.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(sent.Body.GetProperty("receivers").GetInt64(), Is.EqualTo(1));
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:from script\n\n"));

        var refused = await PostAsync("bad\u0001channel");
        Assert.That(refused.Status, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refused.Body.GetProperty("errors").GetProperty("Channel")[0].GetString(), Does.Contain("one of the sample's channels: sse, news, alerts"));
    }

    [Test]
    public async Task PublishForm_WithoutAntiforgeryToken_IsRefused()
    {
        using var response = await Http.PostAsync("/publish", new FormUrlEncodedContent(new Dictionary<string, string> { ["Message"] = "forged" }));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task PublishForm_ToAChannelThatIsNotTheSamples_IsRefused()
    {
        var token = await SampleForms.AntiforgeryTokenAsync(Http);
        using var refused = await SampleForms.PostPublishAsync(Http, token, "junk.1");

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("one of the sample's channels"));
    }

    [Test]
    public async Task SocialForm_NobodyPostsAsAUser_AndASignedInUserPostsAsThemselves()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=users.social");
        using var anonymous = Site.CreateClient();
        var token = await SampleForms.AntiforgeryTokenAsync(anonymous, "/social");
        using var asAdmin = await anonymous.PostAsync("/social", Form(token, "admin", "I am the admin"));
        Assert.That(asAdmin.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await asAdmin.Content.ReadAsStringAsync(), Does.Contain("sign in to post as them"));

        using var alice = Site.CreateClient();
        var login = await SampleForms.AntiforgeryTokenAsync(alice, "/account/login");
        using (await alice.PostAsync("/account/login", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = login, ["UserName"] = "alice", ["Password"] = "alice" })))
        {
        }

        token = await SampleForms.AntiforgeryTokenAsync(alice, "/social");
        using var posted = await alice.PostAsync("/social", Form(token, "admin", "posted by alice"));
        Assert.That(posted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var sent = await stream.ReadEventAsync();
        Assert.That(sent, Does.Contain("<strong class=\"user\">alice</strong>").And.Contain("<p>posted by alice</p>"));

        static FormUrlEncodedContent Form(string token, string name, string status)
            => new(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["Name"] = name, ["Status"] = status });
    }

    [Test]
    public async Task PublishForm_IsRateLimitedPerAddress()
    {
        await using var site = await TestSite<Program>.StartAsync(new TestSiteOptions());
        var token = await SampleForms.AntiforgeryTokenAsync(site.Http);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= SampleSite.Services.PublishingLimit.Permits; i++)
        {
            using var response = await SampleForms.PostPublishAsync(site.Http, token, "news");
            statuses.Add(response.StatusCode);
        }

        Assert.That(statuses.Take(SampleSite.Services.PublishingLimit.Permits), Is.All.EqualTo(HttpStatusCode.OK));
        Assert.That(statuses[^1], Is.EqualTo(HttpStatusCode.TooManyRequests), "the 21st post within 10 s");
    }
}
