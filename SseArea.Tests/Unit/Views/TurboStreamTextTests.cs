using SseArea.Internal.Views;

namespace SseArea.Tests.Unit.Views;

/// <summary>The exact event text of each stream action: Turbo Streams' element, which Turbo, htmx pages and the element parse.</summary>
public sealed class TurboStreamTextTests
{
    [TestCase(SseStreamAction.Append, "append")]
    [TestCase(SseStreamAction.Prepend, "prepend")]
    [TestCase(SseStreamAction.Replace, "replace")]
    [TestCase(SseStreamAction.Update, "update")]
    [TestCase(SseStreamAction.Before, "before")]
    [TestCase(SseStreamAction.After, "after")]
    public void AnActionThatInserts_CarriesItsHtmlInATemplate(SseStreamAction action, string name)
    {
        Assert.That(
            TurboStreamText.ForTarget(action, "statuses", "<li>Hi</li>"),
            Is.EqualTo($"<turbo-stream action=\"{name}\" target=\"statuses\"><template><li>Hi</li></template></turbo-stream>"));
    }

    [Test]
    public void Remove_CarriesNoTemplate_AsTurbosOwnHelpersWriteIt()
    {
        Assert.That(TurboStreamText.ForTarget(SseStreamAction.Remove, "status-7", null), Is.EqualTo("<turbo-stream action=\"remove\" target=\"status-7\"></turbo-stream>"));
    }

    [Test]
    public void Targets_IsACssSelector_EncodedAsAnAttribute()
    {
        Assert.That(
            TurboStreamText.ForTargets(SseStreamAction.Update, "li[data-user=\"a&b\"]", "x"),
            Is.EqualTo("<turbo-stream action=\"update\" targets=\"li[data-user=&quot;a&amp;b&quot;]\"><template>x</template></turbo-stream>"));
    }

    [Test]
    public void ATargetCanNotLeaveItsAttribute()
    {
        Assert.That(
            TurboStreamText.ForTarget(SseStreamAction.Remove, "a\"><script>x</script>", null),
            Is.EqualTo("<turbo-stream action=\"remove\" target=\"a&quot;&gt;&lt;script&gt;x&lt;/script&gt;\"></turbo-stream>"));
    }

    [Test]
    public void BadArguments_AreRefused_NamingTheArgument()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => TurboStreamText.ForTarget(SseStreamAction.Remove, "x", "<p>"), Throws.ArgumentException.With.Property("ParamName").EqualTo("html"));
            Assert.That(() => TurboStreamText.ForTarget(SseStreamAction.Append, "x", null), Throws.ArgumentNullException.With.Property("ParamName").EqualTo("html"));
            Assert.That(() => TurboStreamText.ForTarget(SseStreamAction.Append, "two words", ""), Throws.ArgumentException.With.Property("ParamName").EqualTo("target").And.Message.Contain("white space"));
            Assert.That(() => TurboStreamText.ForTarget(SseStreamAction.Append, "", ""), Throws.ArgumentException.With.Property("ParamName").EqualTo("target"));
            Assert.That(() => TurboStreamText.ForTargets(SseStreamAction.Append, " ", ""), Throws.ArgumentException.With.Property("ParamName").EqualTo("targets"));
            Assert.That(() => TurboStreamText.ForTarget((SseStreamAction)42, "x", ""), Throws.InstanceOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("action"));
        });
    }
}
