using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SseArea.Areas.Sse.Controllers;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>Options that change what the stream endpoint does, set the way users set them: by configuration.</summary>
[CancelAfter(60_000)]
public sealed class StreamOptionsTests
{
    [Test]
    public async Task RetryInterval_IsSentFirstOnEveryStream()
    {
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RetryInterval] = "00:00:03" });

        await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream");
        await site.Publisher.PublishAsync("first");

        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo(":\n"));
        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo("retry:3000\ndata:first\n\n"), "retry: has no blank line of its own (no empty event for any client)");
    }

    [Test]
    public async Task RoutePrefix_MovesTheStreamEndpoint()
    {
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RoutePrefix] = "/events/live/" });

        await using var stream = await SseTestStream.OpenAsync(site.Http, "/events/live?channel=moved");
        await site.Publisher.PublishAsync("moved", channel: "moved");

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:moved\n\n"));
        using var old = await site.Http.GetAsync("/sse/stream");
        Assert.That(old.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.NotFound));
    }

    [Test]
    public async Task DefaultChannelAndLimits_ComeFromConfiguration()
    {
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.DefaultChannel] = "lobby",
            [TestSettings.MaxChannelNameLength] = "5",
            [TestSettings.MaxChannelsPerConnection] = "2",
        });
        var http = site.Http;
        await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream");

        await site.Publisher.PublishAsync("welcome");

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:welcome\n\n"), "no channel: the configured default");
        using var tooLong = await http.GetAsync("/sse/stream?channel=sixsix");
        await Problems.AssertAsync(tooLong, System.Net.HttpStatusCode.BadRequest, "the limit is 5");
        using var tooMany = await http.GetAsync("/sse/stream?channel=a&channel=b&channel=c");
        await Problems.AssertAsync(tooMany, System.Net.HttpStatusCode.BadRequest, "at most 2 channels");
    }

    [Test]
    public async Task InvalidOption_StopsStartupNamingTheSetting()
    {
        var error = Assert.CatchAsync(async () => await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.MaxQueuedEventsPerConnection] = "0" }));

        Assert.That(error!.ToString(), Does.Contain(TestSettings.MaxQueuedEventsPerConnection));
    }

    [Test]
    public async Task ResponseCompression_LeavesTheStreamUncompressed()
    {
        await using var site = await TestSite.StartAsync(new TestSiteOptions
        {
            Services = services => services.AddResponseCompression(o =>
            {
                o.EnableForHttps = true;
                o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Append("text/event-stream");
            }),
            Middleware = app => app.UseResponseCompression(),
        });
        var http = site.Http;

        await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=zip", h => h.AcceptEncoding.ParseAdd("gzip"));
        await site.Publisher.PublishAsync("plain text", channel: "zip");

        Assert.That(stream.Response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "identity" }), "the response itself says it is not compressed");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:plain text\n\n"));
        using var page = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/test/page") { Headers = { { "Accept-Encoding", "gzip" } } });
        Assert.That(page.Content.Headers.ContentEncoding, Has.Member("gzip"), "the middleware does compress other responses");
    }

    [Test]
    public async Task SlowClient_IsCutOffOnceItsQueueIsFull()
    {
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.MaxQueuedEventsPerConnection] = "4" });
        var publisher = site.Publisher;
        await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=slow");

        // Published in one burst, faster than the stream drains: the queue (4) overflows.
        var big = new string('x', 64 * 1024);
        for (var i = 0; i < 200; i++)
        {
            await publisher.PublishAsync(big, channel: "slow");
        }

        // The server aborts the connection (its unread bytes go with it): the read ends with an error.
        var rest = string.Empty;
        try
        {
            rest = await stream.ReadToEndAsync();
        }
        catch (IOException)
        {
        }

        Assert.That(rest.Length, Is.LessThan(200 * big.Length), "the stream ended before every event was written");
        // The connection is aborted before the stream's subscription is disposed: await the listener's removal.
        await Eventually.HoldsAsync(async () => await publisher.PublishAsync("after", channel: "slow") == 0, "the cut-off client's listener is gone");
    }

    [TestCase(BrokerKind.InMemory)]
    [TestCase(BrokerKind.Redis)]
    public async Task ApplicationStopping_EndsOpenStreams(BrokerKind broker)
    {
        var site = await TestSite.StartAsync(broker);
        try
        {
            await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=stopping");
            var ended = stream.ReadToEndAsync(TimeSpan.FromSeconds(5));

            site.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

            Assert.That(await ended, Is.EqualTo(":\n"), "the stream ended by itself, after its opening comment");
        }
        finally
        {
            await site.DisposeAsync();
        }
    }

    [Test]
    public async Task ControllerDerivedFromStreamController_ReplacesTheLibrarysOwn()
    {
        await using var site = await TestSite.StartAsync(new TestSiteOptions
        {
            Services = services => services.AddMvcCore().ConfigureApplicationPartManager(parts => parts.ApplicationParts.Add(new TypesPart(typeof(AppStreamController)))),
        });

        await using var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=derived");
        await site.Publisher.PublishAsync("via the app's controller", channel: "derived");

        Assert.That(stream.Response.Headers.GetValues("X-Stream-Controller"), Is.EqualTo(new[] { "app" }), "exactly one route: the app's");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:via the app's controller\n\n"));
    }
}

/// <summary>An application's own stream controller, as the access-control docs have users write.</summary>
[SseChannelAccess("vip", Roles = "Admin")]
[SseChannelAccess("vip.*", Roles = "Admin")]
public sealed class AppStreamController : StreamController
{
    public override Task<IActionResult> Stream()
    {
        Response.Headers["X-Stream-Controller"] = "app";
        return base.Stream();
    }
}
