using System.Text.Json;
using Microsoft.Extensions.Options;
using Moq;
using SseArea.Internal.Fanout;
using SseArea.Internal.Publishing;
using MvcJsonOptions = Microsoft.AspNetCore.Mvc.JsonOptions;

namespace SseArea.Tests.Unit;

/// <summary><see cref="ISsePublisher"/>: what reaches the broker, and what never does.</summary>
public sealed class SsePublisherTests
{
    private Mock<ISseBroker> _broker = null!;
    private List<(string Channel, SseMessage Message, CancellationToken Token)> _published = null!;

    [SetUp]
    public void CreateBroker()
    {
        _published = [];
        _broker = new Mock<ISseBroker>(MockBehavior.Strict);
        _broker
            .Setup(b => b.PublishAsync(It.IsAny<string>(), It.IsAny<SseMessage>(), It.IsAny<CancellationToken>()))
            .Callback((string channel, SseMessage message, CancellationToken token) => _published.Add((channel, message, token)))
            .ReturnsAsync(3L);
    }

    private SsePublisher Publisher(SseOptions? options = null, MvcJsonOptions? json = null)
        => new(_broker.Object, Options.Create(options ?? new SseOptions()), Options.Create(json ?? new MvcJsonOptions()));

    private void VerifyBrokerNeverCalled()
        => _broker.Verify(b => b.PublishAsync(It.IsAny<string>(), It.IsAny<SseMessage>(), It.IsAny<CancellationToken>()), Times.Never);

    [Test]
    public void PublishAsync_OfDataOverMaxEventBytes_ThrowsNamingTheArgumentAndTheSetting()
    {
        var publisher = Publisher(new SseOptions { MaxEventBytes = 1000 });

        var text = Assert.ThrowsAsync<ArgumentException>(() => publisher.PublishAsync(new string('é', 501))); // 1 002 UTF-8 bytes
        var message = Assert.ThrowsAsync<ArgumentException>(() => publisher.PublishAsync(new SseMessage(new string('x', 1001))));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(text!.ParamName, Is.EqualTo("data"));
            Assert.That(text.Message, Does.Contain("1002 bytes").And.Contain("Sse:MaxEventBytes (1000)"));
            Assert.That(message!.ParamName, Is.EqualTo("message"));
        }

        VerifyBrokerNeverCalled();
        Assert.That(() => publisher.PublishAsync(new string('x', 1000)), Throws.Nothing, "exactly the limit");
    }

    [Test]
    public async Task PublishAsync_WithString_SendsItAsItIs()
    {
        await Publisher().PublishAsync("{\"raw\": true}\nsecond line", type: "note", id: "9", retry: 100, channel: "news");

        Assert.That(_published, Has.Count.EqualTo(1));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_published[0].Channel, Is.EqualTo("news"));
            Assert.That(_published[0].Message, Is.EqualTo(new SseMessage("{\"raw\": true}\nsecond line", "note", "9", 100)));
            Assert.That(_published[0].Message.IsJson, Is.False);
        }
    }

    [Test]
    public async Task PublishAsync_WithObject_SendsCamelCaseJsonFromMvcJsonOptions()
    {
        await Publisher().PublishAsync(new { Message = "Hi" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_published.Single().Message.Data, Is.EqualTo("{\"message\":\"Hi\"}"));
            Assert.That(_published.Single().Message.IsJson, Is.True);
        }
    }

    [Test]
    public async Task PublishAsync_WithObject_UsesTheAppsConfiguredJsonOptions()
    {
        var json = new MvcJsonOptions();
        json.JsonSerializerOptions.PropertyNamingPolicy = null;

        await Publisher(json: json).PublishAsync(new { Message = "Hi" });

        Assert.That(_published.Single().Message.Data, Is.EqualTo("{\"Message\":\"Hi\"}"));
    }

    [Test]
    public async Task PublishAsync_WithObjectAndFields_KeepsTheFields()
    {
        await Publisher().PublishAsync(new { Message = "Hello!" }, type: "greeting", id: "1", retry: 2000);

        Assert.That(_published.Single().Message.ToString(), Is.EqualTo("event:greeting\ndata:{\"message\":\"Hello!\"}\nid:1\nretry:2000\n\n"));
    }

    [TestCase(null)]
    [TestCase("")]
    public async Task PublishAsync_WithoutChannel_UsesTheDefaultChannelSse(string? channel)
    {
        await Publisher().PublishAsync("x", channel: channel);

        Assert.That(_published.Single().Channel, Is.EqualTo("sse"));
    }

    [TestCase(null)]
    [TestCase("")]
    public async Task PublishAsync_WithoutChannel_UsesTheConfiguredDefaultChannel(string? channel)
    {
        await Publisher(new SseOptions { DefaultChannel = "news" }).PublishAsync(new SseMessage("x"), channel);

        Assert.That(_published.Single().Channel, Is.EqualTo("news"));
    }

    [Test]
    public async Task PublishAsync_WithMessage_HandsTheSameMessageToTheBroker()
    {
        var message = new SseMessage("x", "t", "1", 5);

        await Publisher().PublishAsync(message, "news");

        Assert.That(_published.Single().Message, Is.SameAs(message));
    }

    [Test]
    public async Task PublishAsync_ReturnsTheBrokersReceiverCount()
    {
        Assert.That(await Publisher().PublishAsync("x"), Is.EqualTo(3L));
    }

    [Test]
    public async Task PublishAsync_PassesTheCancellationTokenToTheBroker()
    {
        using var cancellation = new CancellationTokenSource();

        await Publisher().PublishAsync("x", cancellationToken: cancellation.Token);

        Assert.That(_published.Single().Token, Is.EqualTo(cancellation.Token));
    }

    [Test]
    public void PublishAsync_WhenTheBrokerFails_PropagatesSseBrokerException()
    {
        var failure = new SseBrokerException("Redis is down");
        _broker.Reset();
        _broker.Setup(b => b.PublishAsync(It.IsAny<string>(), It.IsAny<SseMessage>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);

        var thrown = Assert.ThrowsAsync<SseBrokerException>(() => Publisher().PublishAsync("x"));

        Assert.That(thrown, Is.SameAs(failure));
    }

    [Test]
    public void PublishAsync_WhenTheBrokerThrowsSynchronously_PropagatesSseBrokerException()
    {
        _broker.Reset();
        _broker.Setup(b => b.PublishAsync(It.IsAny<string>(), It.IsAny<SseMessage>(), It.IsAny<CancellationToken>())).Throws(new SseBrokerException("no"));

        Assert.ThrowsAsync<SseBrokerException>(() => Publisher().PublishAsync(new SseMessage("x")));
    }

    // Built at run time: a lone surrogate in a [TestCase] string does not survive the attribute's UTF-8 encoding.
    private static IEnumerable<TestCaseData> InvalidChannels()
    {
        yield return new TestCaseData("a\nb").SetArgDisplayNames("LineBreak");
        yield return new TestCaseData("a\0b").SetArgDisplayNames("Nul");
        yield return new TestCaseData("tab\there").SetArgDisplayNames("Tab");
        yield return new TestCaseData("x\ud800").SetArgDisplayNames("LoneSurrogate");
    }

    [TestCaseSource(nameof(InvalidChannels))]
    public void PublishAsync_WithInvalidChannel_ThrowsNamingChannelAndPublishesNothing(string channel)
    {
        Assert.That(() => Publisher().PublishAsync("x", channel: channel), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("channel"));
        VerifyBrokerNeverCalled();
    }

    [Test]
    public void PublishAsync_WithTooLongChannel_ThrowsNamingChannelAndPublishesNothing()
    {
        var channel = new string('a', new SseOptions().MaxChannelNameLength + 1);

        Assert.That(() => Publisher().PublishAsync(new SseMessage("x"), channel), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("channel").And.Message.Contains("limit"));
        VerifyBrokerNeverCalled();
    }

    [Test]
    public async Task PublishAsync_WithChannelAtTheLengthLimit_Publishes()
    {
        var channel = new string('a', 8);

        await Publisher(new SseOptions { MaxChannelNameLength = 8 }).PublishAsync("x", channel: channel);

        Assert.That(_published.Single().Channel, Is.EqualTo(channel));
    }

    [Test]
    public void PublishAsync_WithLineBreakInType_ThrowsNamingTypeAndPublishesNothing()
    {
        Assert.That(() => Publisher().PublishAsync("x", type: "a\nevent:forged"), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("type"));
        VerifyBrokerNeverCalled();
    }

    [Test]
    public void PublishAsync_WithNulInId_ThrowsNamingIdAndPublishesNothing()
    {
        Assert.That(() => Publisher().PublishAsync("x", id: "1\0"), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("id"));
        VerifyBrokerNeverCalled();
    }

    [Test]
    public void PublishAsync_WithNegativeRetry_ThrowsNamingRetryAndPublishesNothing()
    {
        Assert.That(() => Publisher().PublishAsync("x", retry: -5), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("retry"));
        VerifyBrokerNeverCalled();
    }

    [Test]
    public void PublishAsync_WithNullData_ThrowsArgumentNullNamingData()
    {
        Assert.That(() => Publisher().PublishAsync((object)null!), Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("data"));
        VerifyBrokerNeverCalled();
    }

    [Test]
    public void PublishAsync_WithNullMessage_ThrowsArgumentNullNamingMessage()
    {
        Assert.That(() => Publisher().PublishAsync((SseMessage)null!), Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("message"));
        VerifyBrokerNeverCalled();
    }

    [TestCase("not json")]
    [TestCase("{\"a\": [1, 2]}")]
    public async Task PublishAsync_WithAJsonLookingString_SendsItAsText_NotAsAJsonValue(string data)
    {
        // Only the publisher's serializer marks data as JSON: a caller's text stays a string in the Redis payload.
        await Publisher().PublishAsync(new SseMessage(data));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_published.Single().Message.IsJson, Is.False);
            Assert.That(SseArea.Internal.Redis.RedisProtocol.Write(_published.Single().Message), Is.EqualTo(System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { data }))));
        }
    }

    [TestCase(42, "42")]
    [TestCase(true, "true")]
    [TestCase(new[] { 1, 2 }, "[1,2]")]
    public async Task PublishAsync_WithANonStringValue_SendsItsJsonText_AsAJsonValue(object data, string expected)
    {
        await Publisher().PublishAsync(data);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_published.Single().Message.Data, Is.EqualTo(expected));
            Assert.That(_published.Single().Message.IsJson, Is.True);
        }
    }

    [Test]
    public void MvcJsonOptions_ByDefault_NameMembersInCamelCase()
    {
        // What PublishAsync_WithObject_SendsCamelCaseJsonFromMvcJsonOptions relies on.
        Assert.That(new MvcJsonOptions().JsonSerializerOptions.PropertyNamingPolicy, Is.SameAs(JsonNamingPolicy.CamelCase));
    }
}
