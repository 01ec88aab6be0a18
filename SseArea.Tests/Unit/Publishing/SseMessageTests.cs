namespace SseArea.Tests.Unit;

/// <summary>The event text and the checks of <see cref="SseMessage"/>.</summary>
public sealed class SseMessageTests
{
    // ---- Event text: the examples of FLASK_SSE_REFERENCE.md, "Event text on the stream" ----

    [Test]
    public void ToString_WithPlainData_SendsOneDataLine()
    {
        Assert.That(new SseMessage("foo").ToString(), Is.EqualTo("data:foo\n\n"));
    }

    [Test]
    public void ToString_WithMultilineData_SendsOneDataLinePerLine()
    {
        Assert.That(new SseMessage("foo\nbar").ToString(), Is.EqualTo("data:foo\ndata:bar\n\n"));
    }

    [Test]
    public void ToString_WithTypeIdAndRetry_SendsFieldsInFlaskSseOrder()
    {
        var message = new SseMessage("foo", type: "example", id: "5", retry: 500);

        Assert.That(message.ToString(), Is.EqualTo("event:example\ndata:foo\nid:5\nretry:500\n\n"));
    }

    // ---- Event text: line breaks, empty and unusual data ----

    [Test]
    public void ToString_WithCrLfAndCrLfInData_SendsEachLineAsItsOwnDataLine()
    {
        Assert.That(new SseMessage("a\rb\r\nc\nd").ToString(), Is.EqualTo("data:a\ndata:b\ndata:c\ndata:d\n\n"));
    }

    [TestCase("foo\n")]
    [TestCase("foo\r")]
    [TestCase("foo\r\n")]
    public void ToString_WithTrailingLineBreak_SendsAFinalEmptyDataLine(string data)
    {
        Assert.That(new SseMessage(data).ToString(), Is.EqualTo("data:foo\ndata:\n\n"));
    }

    [Test]
    public void ToString_WithLfCr_SendsTwoLineBreaksNotOne()
    {
        // "\n\r" is LF then CR, two line ends (only CR followed by LF is one).
        Assert.That(new SseMessage("a\n\rb").ToString(), Is.EqualTo("data:a\ndata:\ndata:b\n\n"));
    }

    [Test]
    public void ToString_WithEmptyData_SendsAnEmptyDataLine()
    {
        Assert.That(new SseMessage(string.Empty).ToString(), Is.EqualTo("data:\n\n"));
    }

    [Test]
    public void ToString_WithUnicodeData_KeepsEmojiAndLineSeparatorInsideTheLine()
    {
        var message = new SseMessage("h\u00e9llo \U0001F600 a\u2028b \u65e5\u672c");

        Assert.That(message.ToString(), Is.EqualTo("data:h\u00e9llo \U0001F600 a\u2028b \u65e5\u672c\n\n"));
    }

    [Test]
    public void ToString_WithDataThatLooksLikeFields_KeepsItInsideDataLines()
    {
        var message = new SseMessage("x\nevent:forged\nid:1");

        Assert.That(message.ToString(), Is.EqualTo("data:x\ndata:event:forged\ndata:id:1\n\n"));
    }

    [Test]
    public void ToString_WithEmptyTypeAndId_SendsNeitherField()
    {
        var message = new SseMessage("foo", type: string.Empty, id: string.Empty);

        Assert.That(message.ToString(), Is.EqualTo("data:foo\n\n"));
    }

    [Test]
    public void ToString_WithZeroRetry_SendsRetryZero()
    {
        Assert.That(new SseMessage("foo", retry: 0).ToString(), Is.EqualTo("data:foo\nretry:0\n\n"));
    }

    // ---- Field checks ----

    [TestCase("a\nb")]
    [TestCase("a\rb")]
    [TestCase("a\r\nb")]
    [TestCase("\n")]
    public void Constructor_WithLineBreakInType_ThrowsArgumentExceptionNamingType(string type)
    {
        Assert.That(() => new SseMessage("x", type: type), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("type"));
    }

    [TestCase("a\nb")]
    [TestCase("a\rb")]
    [TestCase("a\r\nb")]
    [TestCase("a\0b")]
    public void Constructor_WithLineBreakOrNulInId_ThrowsArgumentExceptionNamingId(string id)
    {
        Assert.That(() => new SseMessage("x", id: id), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("id"));
    }

    [TestCase("a\tb")]
    [TestCase("a\u0001b")]
    [TestCase("a\u007Fb")]
    [TestCase("a\u0085b")]
    public void Constructor_WithAnIdBrowsersCanNotSendBack_ThrowsArgumentExceptionNamingId(string id)
    {
        Assert.That(() => new SseMessage("x", id: id), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("id"));
    }

    [TestCase(0xD800, "b")]
    [TestCase(0xDC00, "")]
    public void Constructor_WithAnUnpairedSurrogateInId_ThrowsArgumentExceptionNamingId(int surrogate, string after)
    {
        // Built here: an attribute can not hold an unpaired surrogate.
        var id = "a" + (char)surrogate + after;

        Assert.That(() => new SseMessage("x", id: id), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("id"));
    }

    [Test]
    public void Constructor_WithAnIdLongerThanMaxIdLength_ThrowsArgumentExceptionNamingId()
    {
        Assert.That(new SseMessage("x", id: new string('1', SseMessage.MaxIdLength)).Id, Has.Length.EqualTo(SseMessage.MaxIdLength));
        Assert.That(() => new SseMessage("x", id: new string('1', SseMessage.MaxIdLength + 1)), Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("id").And.Message.Contains("at most 1024"));
    }

    [Test]
    public void Constructor_WithAnEmojiInId_IsAccepted()
    {
        Assert.That(new SseMessage("x", id: "a😀b").Id, Is.EqualTo("a😀b"));
    }

    [Test]
    public void Constructor_WithNulInType_IsAccepted()
    {
        // Only CR and LF can forge a field; NUL is refused in ids only (browsers drop such ids).
        Assert.That(new SseMessage("x", type: "a\0b").Type, Is.EqualTo("a\0b"));
    }

    [Test]
    public void With_LineBreakInType_ThrowsArgumentExceptionNamingType()
    {
        var message = new SseMessage("x");

        Assert.That(() => message with { Type = "a\nevent:forged" }, Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("type"));
    }

    [TestCase("a\rb")]
    [TestCase("a\0b")]
    public void With_LineBreakOrNulInId_ThrowsArgumentExceptionNamingId(string id)
    {
        var message = new SseMessage("x");

        Assert.That(() => message with { Id = id }, Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("id"));
    }

    [Test]
    public void Constructor_WithNegativeRetry_ThrowsArgumentOutOfRangeNamingRetry()
    {
        Assert.That(() => new SseMessage("x", retry: -1), Throws.TypeOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("retry"));
    }

    [Test]
    public void With_NegativeRetry_ThrowsArgumentOutOfRangeNamingRetry()
    {
        var message = new SseMessage("x", retry: 5);

        Assert.That(() => message with { Retry = int.MinValue }, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property(nameof(ArgumentException.ParamName)).EqualTo("retry"));
    }

    [Test]
    public void Constructor_WithNullData_ThrowsArgumentNullNamingData()
    {
        Assert.That(() => new SseMessage(null!), Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("data"));
    }

    [Test]
    public void With_NullData_ThrowsArgumentNullNamingData()
    {
        var message = new SseMessage("x");

        Assert.That(() => message with { Data = null! }, Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("data"));
    }

    // ---- Value equality ----

    [Test]
    public void Equals_WithSameFields_IsEqualWithSameHashCode()
    {
        var a = new SseMessage("foo", "example", "5", 500);
        var b = new SseMessage("foo", "example", "5", 500);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(a, Is.EqualTo(b));
            Assert.That(a == b, Is.True);
            Assert.That(a.GetHashCode(), Is.EqualTo(b.GetHashCode()));
        }
    }

    private static IEnumerable<TestCaseData> DifferentMessages()
    {
        yield return new TestCaseData(new SseMessage("bar", "example", "5", 500)).SetArgDisplayNames("Data");
        yield return new TestCaseData(new SseMessage("foo", "other", "5", 500)).SetArgDisplayNames("Type");
        yield return new TestCaseData(new SseMessage("foo", null, "5", 500)).SetArgDisplayNames("NoType");
        yield return new TestCaseData(new SseMessage("foo", "example", "6", 500)).SetArgDisplayNames("Id");
        yield return new TestCaseData(new SseMessage("foo", "example", "5", 501)).SetArgDisplayNames("Retry");
        yield return new TestCaseData(new SseMessage("foo", "example", "5")).SetArgDisplayNames("NoRetry");
        yield return new TestCaseData(SseMessage.Json("\"foo\"", "example", "5", 500)).SetArgDisplayNames("IsJson");
    }

    [TestCaseSource(nameof(DifferentMessages))]
    public void Equals_WithOneDifferentField_IsNotEqual(SseMessage other)
    {
        var message = new SseMessage("foo", "example", "5", 500);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(message, Is.Not.EqualTo(other));
            Assert.That(message != other, Is.True);
        }
    }
}
