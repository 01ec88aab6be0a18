using Microsoft.Extensions.DependencyInjection;
using SseArea.TestHost;
using SseArea.TestHost.Components;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Views;

/// <summary>
/// <see cref="ISseViews"/> on the test site: a partial view and a component rendered with no request (as a background
/// service renders), published once as a Turbo Streams event that every subscriber receives as it is.
/// </summary>
[CancelAfter(60_000)]
public sealed class LiveViewTests : TestSiteFixture
{
    private ISseViews Views => Site.Services.GetRequiredService<ISseViews>();

    [Test]
    public async Task APartial_IsRenderedOutsideAnyRequest_WithItsModelTextEncoded()
    {
        // Task.Run: no request's context flows in; the view renders from the site's root services, as from a background service.
        var html = await Task.Run(() => Views.RenderPartialAsync("_Card", new Card(1, "alice", "Life is <b>good</b> & \"fine\"")));

        Assert.That(html.Trim(), Is.EqualTo("<li id=\"card-1\"><strong>alice</strong> Life is &lt;b&gt;good&lt;/b&gt; &amp; &quot;fine&quot;</li>"));
    }

    [Test]
    public async Task APartial_IsFoundByPathToo()
    {
        var html = await Views.RenderPartialAsync("~/Views/Shared/_Card.cshtml", new Card(2, "bob", "hi"));

        Assert.That(html.Trim(), Is.EqualTo("<li id=\"card-2\"><strong>bob</strong> hi</li>"));
    }

    [Test]
    public void AMissingPartial_IsAnErrorThatSaysWhereItLooked()
    {
        Assert.That(
            () => Views.RenderPartialAsync("_Nowhere"),
            Throws.InvalidOperationException.With.Message.Contain("'_Nowhere' was not found").And.Message.Contain("/Views/Shared/_Nowhere.cshtml"));
    }

    [Test]
    public async Task AComponent_IsRenderedOutsideAnyRequest_WithHtmlRenderer()
    {
        var html = await Task.Run(() => Views.RenderComponentAsync<CardComponent>(new Dictionary<string, object?> { ["Card"] = new Card(3, "carol", "<b>bold?</b>") }));

        Assert.That(html.Trim(), Is.EqualTo("<li id=\"card-3\"><strong>carol</strong> &lt;b&gt;bold?&lt;/b&gt;</li>"));
    }

    [Test]
    public async Task AppendAsync_PublishesThePartialOnce_AsAnUntypedTurboStreamEvent_ToEverySubscriber()
    {
        var channel = "cards." + Guid.NewGuid().ToString("N");
        await using var one = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=" + channel);
        await using var two = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=" + channel);

        var receivers = await Views.AppendAsync(channel, "cards", "_Card", new Card(4, "dave", "a<b"));

        Assert.That(receivers, Is.EqualTo(2));
        const string Expected = "data:<turbo-stream action=\"append\" target=\"cards\"><template><li id=\"card-4\"><strong>dave</strong> a&lt;b</li>\n"
            + "data:</template></turbo-stream>\n\n";
        Assert.That(await one.ReadEventAsync(), Is.EqualTo(Expected));
        Assert.That(await two.ReadEventAsync(), Is.EqualTo(Expected));
    }

    [Test]
    public async Task TheComponentShortcuts_AndRemove_PublishTheirActions()
    {
        var channel = "cards." + Guid.NewGuid().ToString("N");
        await using var stream = await SseTestStream.OpenAsync(Http, "/sse/stream?channel=" + channel);

        await Views.ReplaceAsync<CardComponent>(channel, "card-5", new Dictionary<string, object?> { ["Card"] = new Card(5, "erin", "edited") });
        await Views.RemoveAsync(channel, "card-5");

        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:<turbo-stream action=\"replace\" target=\"card-5\"><template><li id=\"card-5\"><strong>erin</strong> edited</li></template></turbo-stream>\n\n"));
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:<turbo-stream action=\"remove\" target=\"card-5\"></turbo-stream>\n\n"));
    }

    [Test]
    public void AnActionLargerThanMaxEventBytes_IsRefused()
    {
        Assert.That(
            () => Views.PublishActionAsync("cards", SseStreamAction.Append, "cards", new string('x', 2_000_000)),
            Throws.ArgumentException.With.Message.Contain("MaxEventBytes"));
    }
}
