using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>The stream endpoint and the publisher end to end, over real HTTP, on each broker.</summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class StreamEndpointTests(BrokerKind broker) : TestSiteFixture
{
    private protected override TestSiteOptions SiteOptions => new() { Broker = broker };

    [Test]
    public async Task Stream_AnswersEventStreamHeaders()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=headers", h => h.AcceptEncoding.ParseAdd("gzip"));

        var response = stream.Response;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/event-stream"));
            Assert.That(response.Headers.CacheControl?.NoCache, Is.True);
            Assert.That(response.Headers.GetValues("X-Accel-Buffering"), Is.EqualTo(new[] { "no" }));
            Assert.That(response.Content.Headers.ContentEncoding, Is.EqualTo(new[] { "identity" }), "not compressed, and saying so");
        });
    }

    [TestCase("/sse/stream?channel=")]
    [TestCase("/sse/stream?channel=&channel=")]
    [TestCase("/sse/stream?channel=sse")]
    public async Task Stream_WithoutChannel_FollowsTheDefaultChannel(string url)
    {
        await using var stream = await SseTestStream.OpenAsync(Http, url);

        await Publisher.PublishAsync("to the default channel");

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:to the default channel\n\n"));
    }

    [Test]
    public async Task Stream_WithChannel_ReceivesOnlyThatChannelsEvents()
    {
        await using var social = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=users.social");
        await using var stats = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=stats");

        await Publisher.PublishAsync(new { active_users = 100 }, channel: "stats");
        Assert.That(await stats.ReadEventAsync(), Is.EqualTo("data:{\"active_users\":100}\n\n"));
        await Publisher.PublishAsync(new { user = "alice", status = "Life is good!" }, channel: "users.social");

        // Had the stats event leaked to users.social, it would have arrived there first.
        Assert.That(await social.ReadEventAsync(), Is.EqualTo("data:{\"user\":\"alice\",\"status\":\"Life is good!\"}\n\n"));
    }

    [Test]
    public async Task ChannelsNamedLikePatterns_ReceiveOnlyTheirOwnEvents()
    {
        string[] channels = ["*", "a*", "ab", "a", "[a]b", "a?"];
        var streams = new Dictionary<string, SseTestStream>();
        try
        {
            foreach (var channel in channels)
            {
                streams[channel] = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=" + Uri.EscapeDataString(channel));
            }

            // Each channel gets one event, published one after another: any cross-delivery would
            // put another channel's event first in line on some stream.
            foreach (var channel in channels)
            {
                await Publisher.PublishAsync("for " + channel, channel: channel);
                Assert.That(await streams[channel].ReadEventAsync(), Is.EqualTo($"data:for {channel}\n\n"), $"channel '{channel}'");
            }

            foreach (var channel in channels)
            {
                await Publisher.PublishAsync("last " + channel, channel: channel);
                Assert.That(await streams[channel].ReadEventAsync(), Is.EqualTo($"data:last {channel}\n\n"), $"channel '{channel}'");
            }

            if (broker == BrokerKind.Redis)
            {
                var redis = await RedisTestServer.GetAsync();
                Assert.That(await redis.NumPatAsync(), Is.Zero, "no pattern subscription");
                Assert.That(await redis.NumSubAsync("*"), Is.EqualTo(1), "'*' is subscribed as a literal name");
            }
        }
        finally
        {
            foreach (var stream in streams.Values)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task FiftyClientsOnOneChannel_EachReceiveEveryEvent()
    {
        const int Clients = 50;
        var streams = new List<SseTestStream>();
        try
        {
            for (var i = 0; i < Clients; i++)
            {
                streams.Add(await SseTestStream.OpenAsync(Http, "/sse/stream?channel=crowd"));
            }

            if (broker == BrokerKind.Redis)
            {
                Assert.That(await (await RedisTestServer.GetAsync()).NumSubAsync("crowd"), Is.EqualTo(1), "one Redis subscription for all 50 clients");
            }

            for (var n = 1; n <= 3; n++)
            {
                var receivers = await Publisher.PublishAsync($"event {n}", id: n.ToString(System.Globalization.CultureInfo.InvariantCulture), channel: "crowd");
                Assert.That(receivers, Is.EqualTo(broker == BrokerKind.Redis ? 1 : Clients), "receivers as the broker counts them");
            }

            var received = await Task.WhenAll(streams.Select(async s => new[] { await s.ReadEventAsync(), await s.ReadEventAsync(), await s.ReadEventAsync() }));
            Assert.That(received, Has.All.EqualTo(new[] { "data:event 1\nid:1\n\n", "data:event 2\nid:2\n\n", "data:event 3\nid:3\n\n" }));
        }
        finally
        {
            foreach (var stream in streams)
            {
                await stream.DisposeAsync();
            }
        }
    }

    [Test]
    public async Task ClientLeaving_RemovesItsListener()
    {
        var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=leaving");
        await using (stream)
        {
            Assert.That(await Publisher.PublishAsync("hello", channel: "leaving"), Is.EqualTo(1));
            Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:hello\n\n"));
            if (broker == BrokerKind.Redis)
            {
                Assert.That(await (await RedisTestServer.GetAsync()).NumSubAsync("leaving"), Is.EqualTo(1));
            }
        }

        await Eventually.HoldsAsync(async () => await Publisher.PublishAsync("anyone?", channel: "leaving") == 0, "nobody receives the channel's events");
        if (broker == BrokerKind.Redis)
        {
            Assert.That(await (await RedisTestServer.GetAsync()).NumSubAsync("leaving"), Is.Zero, "PUBSUB NUMSUB back to 0");
        }
    }

    [Test]
    public async Task Stream_WithSeveralChannels_ReceivesEachChannelsEvents()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=multi.a&channel=multi.b&channel=multi.a");

        await Publisher.PublishAsync("from a", channel: "multi.a");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:from a\n\n"));
        await Publisher.PublishAsync("from b", channel: "multi.b");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:from b\n\n"));
        await Publisher.PublishAsync("once", channel: "multi.a");
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:once\n\n"), "a channel asked twice is followed once");
    }

    [Test]
    public async Task Publish_WithMultilineData_SendsOneDataLinePerLine()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=lines");

        await Publisher.PublishAsync("one\ntwo\r\nthree\rfour", type: "status", channel: "lines");

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("event:status\ndata:one\ndata:two\ndata:three\ndata:four\n\n"));
    }

    [Test]
    public async Task Publish_WithUnicode_ArrivesIntact()
    {
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=" + Uri.EscapeDataString("ünï.😀"));

        await Publisher.PublishAsync("héllo 😀 \u2028 wörld", channel: "ünï.😀");

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:héllo 😀 \u2028 wörld\n\n"));
    }

    [TestCase("a%00b", "control character")]
    [TestCase("a%0Ab", "control character")]
    [TestCase("a%0Db", "control character")]
    [TestCase("a%7Fb", "control character")]
    public async Task Stream_WithInvalidChannelName_Answers400WithTheReason(string channel, string reason)
    {
        using var response = await Http.GetAsync("/sse/stream?channel=" + channel);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, reason);
    }

    [Test]
    public async Task Stream_WithTooLongChannelName_Answers400WithTheReason()
    {
        using var response = await Http.GetAsync("/sse/stream?channel=" + new string('x', 257));

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "257 characters long; the limit is 256");
    }

    [Test]
    public async Task Stream_WithTooManyChannels_Answers400WithTheReason()
    {
        var query = string.Join("&", Enumerable.Range(0, 17).Select(i => "channel=c" + i));

        using var response = await Http.GetAsync("/sse/stream?" + query);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "at most 16 channels");
    }

    [Test]
    public async Task Stream_AcceptsTheLongestAllowedChannelName()
    {
        var name = new string('x', 256);
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=" + name);

        await Publisher.PublishAsync("long", channel: name);

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:long\n\n"));
    }

    [Test]
    public void UrlGeneration_GivesTheStreamUrl()
    {
        var links = Site.Services.GetRequiredService<LinkGenerator>();

        var path = links.GetPathByAction("Stream", "Stream", new { area = "Sse", channel = "users.social" });

        Assert.That(path, Is.EqualTo("/sse/stream?channel=users.social"));
    }

    [Test]
    public void Publisher_WithInvalidChannel_ThrowsNamingTheArgument()
    {
        var error = Assert.ThrowsAsync<ArgumentException>(() => Publisher.PublishAsync("x", channel: "bad\nchannel"));

        Assert.That(error!.ParamName, Is.EqualTo("channel"));
    }
}
