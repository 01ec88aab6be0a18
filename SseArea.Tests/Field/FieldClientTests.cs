using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Field;

/// <summary>
/// SseArea's stream as real clients nobody here wrote see it (npm's <c>eventsource</c> 4.1.1 and
/// <c>@microsoft/fetch-event-source</c> 2.0.1, Python's <c>requests</c>, .NET's <c>SseParser</c>): comments that dispatch
/// nothing, and a position every client keeps, so a client that saw no event yet still resumes across a restart.
/// </summary>
[CancelAfter(90_000)]
public sealed class FieldClientTests
{
    [TestCaseSource(typeof(FieldClient), nameof(FieldClient.All))]
    public async Task TheClient_SeesNothingForThePreambleHeartbeatsOrRetry_AndEveryDataItGetsIsJson(string name)
    {
        await using var site = await TestSite.StartAsync(BrokerKind.InMemory, new()
        {
            [TestSettings.HeartbeatInterval] = "00:00:00.1",
            [TestSettings.HistoryLength] = "10",
            [TestSettings.RetryInterval] = "00:00:02",
        });
        await using var client = FieldClient.Start(name, new Uri(site.Address, "/sse/stream?channel=quiet").ToString());
        await client.NextAsync("open");

        // A stream opened after the client's has had three heartbeats: so has the client's.
        await using (var later = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=quiet"))
        {
            for (var heartbeats = 0; heartbeats < 3;)
            {
                heartbeats += await later.ReadBlockAsync() == ":heartbeat\n" ? 1 : 0;
            }
        }

        await site.Publisher.PublishAsync("{\"hello\":1}", channel: "quiet");
        var hello = await client.NextAsync("message");
        while (hello.GetProperty("event").GetString() == "sse-position")
        {
            hello = await client.NextAsync("message");
        }

        var messages = client.Seen.Where(line => line.GetProperty("kind").GetString() == "message").ToList();
        var expected = name == "eventsource" ? new[] { "message" } : ["sse-position", "message"]; // onmessage sees untyped events only
        Assert.Multiple(() =>
        {
            Assert.That(hello.GetProperty("data").GetString(), Is.EqualTo("{\"hello\":1}"));
            Assert.That(messages.Select(m => m.GetProperty("event").GetString() is { Length: > 0 } type ? type : "message"), Is.EqualTo(expected), "nothing for comments or retry:");
            Assert.That(() => messages.ForEach(m => JsonDocument.Parse(m.GetProperty("data").GetString()!).Dispose()), Throws.Nothing, "every message's data is JSON");
        });
    }

    [TestCaseSource(typeof(FieldClient), nameof(FieldClient.All))]
    public async Task TheClient_ThatSawNoEventYet_ResumesAcrossARestart_WithWhatWasPublishedMeanwhile(string name)
    {
        var port = FreePort();
        var channel = $"restart.{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string?> { [TestSettings.HistoryLength] = "100", [TestSettings.RetryInterval] = "00:00:00.2" };
        FieldClient client;
        await using (var before = await TestSite.StartAsync(new TestSiteOptions { Broker = BrokerKind.Redis, Settings = new(settings), Port = port }))
        {
            await before.Publisher.PublishAsync("old", channel: channel);
            client = FieldClient.Start(name, $"http://127.0.0.1:{port}/sse/stream?channel={channel}");
            await client.NextAsync("position");
        }

        await using (client)
        {
            // Published while the site is down, by another server on the same Redis.
            await using (var other = await TestSite.StartAsync(BrokerKind.Redis, settings))
            {
                await other.Publisher.PublishAsync("in the gap", channel: channel);
            }

            await using var after = await TestSite.StartAsync(new TestSiteOptions { Broker = BrokerKind.Redis, Settings = new(settings), Port = port });
            var message = await client.NextAsync("message", TimeSpan.FromSeconds(30));
            while (message.GetProperty("event").GetString() == "sse-position")
            {
                message = await client.NextAsync("message", TimeSpan.FromSeconds(30));
            }

            Assert.That(message.GetProperty("data").GetString(), Is.EqualTo("in the gap"), "resumed from the position it was given before any event");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
