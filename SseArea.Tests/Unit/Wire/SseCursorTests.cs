using SseArea.Internal.Wire;

namespace SseArea.Tests.Unit;

/// <summary>The id of a stream that follows several channels: one event id per channel.</summary>
public sealed class SseCursorTests
{
    [Test]
    public void Encode_JoinsTheIdsInChannelOrder_EscapingSeparators()
    {
        Assert.That(SseCursor.Encode(["1700-0", null, "a,b%c*"]), Is.EqualTo("1700-0,,a%2Cb%25c%2A"));
    }

    [Test]
    public void Decode_OfAStar_IsLiveOnly_AndAnEscapedStarIsAnId()
    {
        Assert.That(SseCursor.Decode("5,,0-0,*,%2A", 5), Is.EqualTo(new[] { "5", null, null, SseCursor.Live, "*" }));
    }

    [Test]
    public void Decode_GivesBackWhatEncodeWrote()
    {
        string?[] ids = ["1700-0", null, "a,b%c", "ünï"];

        Assert.That(SseCursor.Decode(SseCursor.Encode(ids), ids.Length), Is.EqualTo(ids));
    }

    [Test]
    public void Decode_OfASingleChannel_IsTheIdItself()
    {
        Assert.That(SseCursor.Decode("a,b", 1), Is.EqualTo(new[] { "a,b" }));
    }

    [TestCase("1,2,3", 2)]
    [TestCase("1", 2)]
    public void Decode_OfAnIdThatDoesNotFitTheChannels_IsNull(string id, int channels)
    {
        Assert.That(SseCursor.Decode(id, channels), Is.Null);
    }
}
