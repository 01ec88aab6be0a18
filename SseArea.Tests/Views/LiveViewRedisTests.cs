using Microsoft.Extensions.DependencyInjection;
using SseArea.TestHost;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Views;

/// <summary>The Redis path of a live view: rendered and published on one server, received by the streams of another.</summary>
[CancelAfter(60_000)]
public sealed class LiveViewRedisTests
{
    private OwnRedisServer _redis = null!;

    [OneTimeSetUp]
    public async Task StartRedisAsync() => _redis = await OwnRedisServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopRedisAsync() => await _redis.DisposeAsync();

    [Test]
    public async Task APartialPublishedOnOneServer_ReachesTheStreamsOfTheOther()
    {
        await using var first = await StartAsync();
        await using var second = await StartAsync();
        await using var stream = await SseTestStream.OpenAsync(second.Http, "/sse/stream?channel=cards.redis");

        var receivers = await first.Services.GetRequiredService<ISseViews>().PrependAsync("cards.redis", "cards", "_Card", new Card(9, "frank", "over <Redis>"));

        Assert.That(receivers, Is.EqualTo(1), "one subscribed server");
        Assert.That(
            await stream.ReadEventAsync(),
            Is.EqualTo("data:<turbo-stream action=\"prepend\" target=\"cards\"><template><li id=\"card-9\"><strong>frank</strong> over &lt;Redis&gt;</li>\ndata:</template></turbo-stream>\n\n"));
    }

    private Task<TestSite<TestHost.Program>> StartAsync()
        => TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RedisUrl] = _redis.Url });
}
