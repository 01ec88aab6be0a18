using SseArea.Internal.Diagnostics;
using SseArea.Internal.Wire;

namespace SseArea.Tests.Unit;

/// <summary>The channel name rule shared by the stream endpoint and the publisher.</summary>
public sealed class SseChannelNameTests
{
    private const int Limit = 256;

    [TestCase("sse")]
    [TestCase("users.social")]
    [TestCase("analytics")]
    [TestCase("*")]
    [TestCase("admin.*")]
    [TestCase("caf\u00e9")]
    [TestCase("\u65e5\u672c\u8a9e")]
    [TestCase("\U0001F600")]
    [TestCase("chat:\U0001F680:room-1")]
    [TestCase("with space")]
    public void Check_ValidName_ReturnsNull(string name)
    {
        Assert.That(SseChannelName.Check(name, Limit), Is.Null);
    }

    [Test]
    public void Check_EmptyName_SaysItIsEmpty()
    {
        Assert.That(SseChannelName.Check(string.Empty, Limit), Does.Contain("empty"));
    }

    [Test]
    public void Check_NameOverTheLimit_SaysHowLongAndTheLimit()
    {
        Assert.That(SseChannelName.Check(new string('a', 11), 10), Does.Contain("11").And.Contain("limit is 10"));
    }

    [Test]
    public void Check_NameAtTheLimit_ReturnsNull()
    {
        Assert.That(SseChannelName.Check(new string('a', 10), 10), Is.Null);
    }

    [Test]
    public void Check_EmojiOverTheLimit_CountsUtf16Characters()
    {
        Assert.That(SseChannelName.Check("\U0001F600", 1), Does.Contain("limit is 1"));
    }

    [TestCase("__Booksleeve_MasterChanged")]
    [TestCase("__keyspace@0__:session")]
    [TestCase("__")]
    public void Check_NameReservedForRedisAndItsClients_SaysSo(string name)
    {
        Assert.That(SseChannelName.Check(name, Limit), Does.StartWith("Channel names starting with '__' are reserved"));
    }

    [TestCase("a__b")]
    [TestCase("_single")]
    public void Check_UnderscoresElsewhere_AreFine(string name)
    {
        Assert.That(SseChannelName.Check(name, Limit), Is.Null);
    }

    [TestCase("a\nb", "U+000A", 1)]
    [TestCase("a\rb", "U+000D", 1)]
    [TestCase("\0", "U+0000", 0)]
    [TestCase("tab\t", "U+0009", 3)]
    [TestCase("del\u007f", "U+007F", 3)]
    [TestCase("c1\u0085", "U+0085", 2)]
    public void Check_ControlCharacter_SaysWhichAndWhere(string name, string codePoint, int position)
    {
        Assert.That(SseChannelName.Check(name, Limit), Does.Contain("control character").And.Contain(codePoint).And.Contain($"position {position}"));
    }

    [TestCase("a\u2028b", "U+2028", 1)]
    [TestCase("para\u2029", "U+2029", 4)]
    public void Check_LineOrParagraphSeparator_SaysWhichAndWhere(string name, string codePoint, int position)
    {
        Assert.That(SseChannelName.Check(name, Limit), Does.Contain("line or paragraph separator").And.Contain(codePoint).And.Contain($"position {position}"));
    }

    // Built at run time: a lone surrogate in a [TestCase] string does not survive the attribute's UTF-8 encoding.
    private static IEnumerable<TestCaseData> UnpairedSurrogates()
    {
        yield return new TestCaseData("\ud800", "U+D800", 0).SetArgDisplayNames("LoneHigh");
        yield return new TestCaseData("a\udc00b", "U+DC00", 1).SetArgDisplayNames("LoneLowInside");
        yield return new TestCaseData("ab\ud83d", "U+D83D", 2).SetArgDisplayNames("HighAtEnd");
        yield return new TestCaseData("\ude00\ud83d", "U+DE00", 0).SetArgDisplayNames("PairReversed");
        yield return new TestCaseData("\ud83d\ud83d\ude00", "U+D83D", 0).SetArgDisplayNames("HighBeforePair");
    }

    [TestCaseSource(nameof(UnpairedSurrogates))]
    public void Check_UnpairedSurrogate_SaysWhichAndWhere(string name, string codePoint, int position)
    {
        Assert.That(SseChannelName.Check(name, Limit), Does.Contain("unpaired surrogate").And.Contain(codePoint).And.Contain($"position {position}"));
    }

    [TestCase("a\nb\0c", @"a\u000Ab\u0000c")]
    [TestCase("\r\n[ERR] forged", @"\u000D\u000A[ERR] forged")]
    [TestCase("tab\tesc\u001bdel\u007fnel\u0085", @"tab\u0009esc\u001Bdel\u007Fnel\u0085")]
    [TestCase("rtl\u202Eltr\u200Bzw\uFEFF", @"rtl\u202Eltr\u200Bzw\uFEFF")]
    [TestCase("line\u2028para\u2029", @"line\u2028para\u2029")]
    [TestCase(@"a\u000Ab", @"a\\u000Ab")]
    [TestCase("caf\u00e9 \U0001F600 \u65e5 * ? [", "caf\u00e9 \U0001F600 \u65e5 * ? [")]
    public void Display_EscapesWhatCouldForgeOrHideText_AndKeepsTheRest(string name, string shown)
    {
        Assert.That(SseChannelName.Display(name), Is.EqualTo(shown));
    }

    [Test]
    public void Display_EscapesAnUnpairedSurrogate()
    {
        Assert.That(SseChannelName.Display("a" + '\ud800' + "b" + '\udc00'), Is.EqualTo(@"a\uD800b\uDC00"));
    }

    [Test]
    public void Display_LongName_IsNeverCutInsideASurrogatePair()
    {
        var name = new string('a', 63) + "\U0001F600" + "tail";

        Assert.That(SseChannelName.Display(name), Is.EqualTo(new string('a', 63) + "\u2026"));
    }

    [Test]
    public void Printable_CutsAtTheGivenLength()
    {
        Assert.That(LogText.Printable("abc\ndef", 4), Is.EqualTo(@"abc\u000A" + "\u2026"));
    }

    [Test]
    public void Display_LongName_IsShortenedWithAnEllipsis()
    {
        Assert.That(SseChannelName.Display(new string('a', 100)), Is.EqualTo(new string('a', 64) + "\u2026"));
    }
}
