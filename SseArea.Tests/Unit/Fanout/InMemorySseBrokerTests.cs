using SseArea.Internal.Fanout;
using SseArea.Internal.Fanout.InMemory;

namespace SseArea.Tests.Unit;

/// <summary>The embedded broker: publish reaches this process's listeners, and says how many.</summary>
public sealed class InMemorySseBrokerTests
{
    private InMemorySseBroker _broker = null!;

    [SetUp]
    public void CreateBroker() => _broker = new InMemorySseBroker();

    [TearDown]
    public async Task DisposeBrokerAsync() => await _broker.DisposeAsync();

    private Task<long> PublishAsync(string channel, string data = "hi") => _broker.PublishAsync(channel, new SseMessage(data), CancellationToken.None);

    [Test]
    public async Task PublishAsync_WithoutListeners_ReturnsZero()
    {
        Assert.That(await PublishAsync("news"), Is.Zero);
    }

    [Test]
    public async Task PublishAsync_ReturnsTheNumberOfListeners()
    {
        await using var first = await _broker.SubscribeAsync(["news"], new RecordingListener(), null, CancellationToken.None);
        await using var second = await _broker.SubscribeAsync(["news"], new RecordingListener(), null, CancellationToken.None);

        Assert.That(await PublishAsync("news"), Is.EqualTo(2));
    }

    [Test]
    public async Task PublishAsync_WritesTheEventTextToEveryListener()
    {
        var a = new RecordingListener();
        var b = new RecordingListener();
        await using var first = await _broker.SubscribeAsync(["news"], a, null, CancellationToken.None);
        await using var second = await _broker.SubscribeAsync(["news"], b, null, CancellationToken.None);

        await _broker.PublishAsync("news", new SseMessage("foo", "example", "5", 500), CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.Texts, Is.EqualTo(new[] { "event:example\ndata:foo\nid:5\nretry:500\n\n" }));
            Assert.That(b.Frames.Single().Equals(a.Frames.Single()), Is.True, "both listeners share one frame");
        }
    }

    [Test]
    public async Task PublishAsync_ToOtherChannel_ReachesNoListener()
    {
        var listener = new RecordingListener();
        await using var subscription = await _broker.SubscribeAsync(["news"], listener, null, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await PublishAsync("sport"), Is.Zero);
            Assert.That(listener.Frames, Is.Empty);
        }
    }

    [Test]
    public async Task SubscribeAsync_SeveralChannels_ReceivesFromEach()
    {
        var listener = new RecordingListener();
        await using var subscription = await _broker.SubscribeAsync(["news", "sport"], listener, null, CancellationToken.None);

        await PublishAsync("news", "one");
        await PublishAsync("sport", "two");

        Assert.That(listener.Texts, Is.EqualTo(new[] { "data:one\n\n", "data:two\n\n" }));
    }

    [Test]
    public async Task DisposeAsync_OfSubscription_RemovesTheListenerFromEveryChannel()
    {
        var listener = new RecordingListener();
        var subscription = await _broker.SubscribeAsync(["news", "sport"], listener, null, CancellationToken.None);

        await subscription.DisposeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await PublishAsync("news"), Is.Zero);
            Assert.That(await PublishAsync("sport"), Is.Zero);
            Assert.That(listener.Frames, Is.Empty);
        }
    }

    [Test]
    public async Task DisposeAsync_OfOneSubscription_KeepsTheOthers()
    {
        var kept = new RecordingListener();
        await using var keptSubscription = await _broker.SubscribeAsync(["news"], kept, null, CancellationToken.None);
        var gone = await _broker.SubscribeAsync(["news"], new RecordingListener(), null, CancellationToken.None);

        await gone.DisposeAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await PublishAsync("news"), Is.EqualTo(1));
            Assert.That(kept.Frames, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public async Task DisposeAsync_Twice_DoesNotRemoveAnotherSubscriptionOfTheSameListener()
    {
        var listener = new RecordingListener();
        var first = await _broker.SubscribeAsync(["news"], listener, null, CancellationToken.None);
        await using var second = await _broker.SubscribeAsync(["news"], listener, null, CancellationToken.None);

        await first.DisposeAsync();
        await first.DisposeAsync();

        Assert.That(await PublishAsync("news"), Is.EqualTo(1));
    }

    [Test]
    public async Task PublishAsync_ListenerThatRefuses_IsNotCounted()
    {
        await using var taking = await _broker.SubscribeAsync(["news"], new RecordingListener(), null, CancellationToken.None);
        await using var refusing = await _broker.SubscribeAsync(["news"], new RecordingListener(accepts: false), null, CancellationToken.None);

        Assert.That(await PublishAsync("news"), Is.EqualTo(1));
    }

    [Test]
    public void PublishAsync_WithCanceledToken_Throws()
    {
        Assert.That(() => _broker.PublishAsync("news", new SseMessage("x"), new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void SubscribeAsync_WithCanceledToken_ThrowsAndAddsNothing()
    {
        Assert.That(() => _broker.SubscribeAsync(["news"], new RecordingListener(), null, new CancellationToken(canceled: true)), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(async () => await PublishAsync("news"), Is.Zero);
    }
}
