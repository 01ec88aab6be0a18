namespace SseArea.Tests.Unit;

/// <summary>The event text, the checks and the Flask-SSE JSON payload of <see cref="SseMessage"/>.</summary>
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
    public void ToString_OfDictionaryFromObject_SendsCompactJson()
    {
        var message = SseMessage.FromObject(new Dictionary<string, string> { ["message"] = "Hello!" });

        Assert.That(message.ToString(), Is.EqualTo("data:{\"message\":\"Hello!\"}\n\n"));
    }

    [Test]
    public void ToString_OfAnonymousObjectFromObject_SendsCamelCaseJson()
    {
        var message = SseMessage.FromObject(new { Message = "Hello!" });

        Assert.That(message.ToString(), Is.EqualTo("data:{\"message\":\"Hello!\"}\n\n"));
    }

    [Test]
    public void ToString_OfFlaskSsePayloadWithObjectData_KeepsThePythonJsonText()
    {
        var message = SseMessage.FromJson("{\"data\": {\"message\": \"Hello!\"}}");

        Assert.That(message.ToString(), Is.EqualTo("data:{\"message\": \"Hello!\"}\n\n"));
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
    public void FromJson_OfAPayloadWhoseIdHoldsATab_KeepsItAsOtherPublishersSentIt()
    {
        Assert.That(SseMessage.FromJson("{\"data\": \"x\", \"id\": \"a\\tb\"}").ToString(), Is.EqualTo("data:x\nid:a\tb\n\n"));
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

    [Test]
    public void FromObject_WithNull_ThrowsArgumentNullNamingData()
    {
        Assert.That(() => SseMessage.FromObject(null!), Throws.ArgumentNullException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("data"));
    }

    [Test]
    public void FromObject_WithString_SendsItAsItIs()
    {
        var message = SseMessage.FromObject("{\"not\": \"parsed\"}", type: "t", id: "1", retry: 2);

        Assert.That(message, Is.EqualTo(new SseMessage("{\"not\": \"parsed\"}", "t", "1", 2)));
        Assert.That(message.IsJson, Is.False);
    }

    [TestCase(42, "42")]
    [TestCase(true, "true")]
    public void FromObject_WithNonString_SendsJsonText(object data, string expected)
    {
        var message = SseMessage.FromObject(data);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(message.Data, Is.EqualTo(expected));
            Assert.That(message.IsJson, Is.True);
        }
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
        yield return new TestCaseData(new SseMessage("foo", "example", "5", 500) { IsJson = true }).SetArgDisplayNames("IsJson");
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

    // ---- JSON payload (Flask-SSE's Redis format) ----

    [Test]
    public void ToJson_WithDataOnly_WritesOnlyData()
    {
        Assert.That(new SseMessage("thing").ToJson(), Is.EqualTo("{\"data\":\"thing\"}"));
    }

    [Test]
    public void ToJson_WithType_WritesDataAndType()
    {
        Assert.That(new SseMessage("thing", "example").ToJson(), Is.EqualTo("{\"data\":\"thing\",\"type\":\"example\"}"));
    }

    [Test]
    public void ToJson_WithAllFields_WritesIdAsStringAndRetryAsNumber()
    {
        Assert.That(new SseMessage("foo", "example", "5", 500).ToJson(), Is.EqualTo("{\"data\":\"foo\",\"type\":\"example\",\"id\":\"5\",\"retry\":500}"));
    }

    [Test]
    public void ToJson_WithJsonData_WritesTheValueNotAString()
    {
        var message = SseMessage.FromObject(new { Message = "Hello!" }, type: "greeting");

        Assert.That(message.ToJson(), Is.EqualTo("{\"data\":{\"message\":\"Hello!\"},\"type\":\"greeting\"}"));
    }

    private static IEnumerable<TestCaseData> RoundTripMessages()
    {
        yield return new TestCaseData(new SseMessage("thing")).SetArgDisplayNames("DataOnly");
        yield return new TestCaseData(new SseMessage("thing", "example")).SetArgDisplayNames("Type");
        yield return new TestCaseData(new SseMessage("foo", "example", "5", 500)).SetArgDisplayNames("AllFields");
        yield return new TestCaseData(new SseMessage(string.Empty)).SetArgDisplayNames("EmptyData");
        yield return new TestCaseData(new SseMessage("a\rb\r\nc\n\"q\" <&> \u00e9 \U0001F600 \u2028", "t\0", "id \u00e9", 0)).SetArgDisplayNames("Awkward");
        yield return new TestCaseData(new SseMessage("{\"looks\":\"like json\"}")).SetArgDisplayNames("JsonLookingString");
        yield return new TestCaseData(SseMessage.FromObject(new { Message = "Hello!" }, type: "greeting")).SetArgDisplayNames("JsonObject");
        yield return new TestCaseData(SseMessage.FromObject(new[] { 1, 2, 3 })).SetArgDisplayNames("JsonArray");
        yield return new TestCaseData(SseMessage.FromObject(42, id: "7", retry: int.MaxValue)).SetArgDisplayNames("JsonNumber");
        yield return new TestCaseData(new SseMessage("{\"message\": \"Hello!\"}") { IsJson = true }).SetArgDisplayNames("JsonWithSpaces");
    }

    [TestCaseSource(nameof(RoundTripMessages))]
    public void FromJson_OfToJson_GivesAnEqualMessage(SseMessage message)
    {
        Assert.That(SseMessage.FromJson(message.ToJson()), Is.EqualTo(message));
    }

    [Test]
    public void FromJson_OfFlaskSseDataOnlyPayload_ReadsData()
    {
        Assert.That(SseMessage.FromJson("{\"data\": \"thing\"}"), Is.EqualTo(new SseMessage("thing")));
    }

    [Test]
    public void FromJson_OfFlaskSsePayloadWithType_ReadsDataAndType()
    {
        Assert.That(SseMessage.FromJson("{\"data\": \"thing\", \"type\": \"example\"}"), Is.EqualTo(new SseMessage("thing", "example")));
    }

    [Test]
    public void FromJson_OfFlaskSsePayloadWithObjectData_KeepsTheJsonTextAndMarksItJson()
    {
        var message = SseMessage.FromJson("{\"data\": {\"message\": \"Hello!\"}, \"type\": \"greeting\"}");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(message.Data, Is.EqualTo("{\"message\": \"Hello!\"}"));
            Assert.That(message.IsJson, Is.True);
            Assert.That(message.Type, Is.EqualTo("greeting"));
            Assert.That(message.Id, Is.Null);
            Assert.That(message.Retry, Is.Null);
        }
    }

    [Test]
    public void FromJson_OfFlaskSsePayloadWithNumericId_ReadsIdAsText()
    {
        var message = SseMessage.FromJson("{\"data\": \"foo\", \"type\": \"example\", \"id\": 5, \"retry\": 500}");

        Assert.That(message, Is.EqualTo(new SseMessage("foo", "example", "5", 500)));
        Assert.That(message.ToString(), Is.EqualTo("event:example\ndata:foo\nid:5\nretry:500\n\n"));
    }

    [Test]
    public void FromJson_WithNullOptionalFields_TreatsThemAsAbsent()
    {
        Assert.That(SseMessage.FromJson("{\"data\": \"x\", \"type\": null, \"id\": null, \"retry\": null}"), Is.EqualTo(new SseMessage("x")));
    }

    [Test]
    public void FromJson_WithNull_ThrowsArgumentNull()
    {
        Assert.That(() => SseMessage.FromJson(null!), Throws.ArgumentNullException);
    }

    [TestCase("not json", "not JSON", TestName = "FromJson_OfNonJson_ThrowsFormatException")]
    [TestCase("[{\"data\": \"x\"}]", "array", TestName = "FromJson_OfJsonArray_ThrowsFormatException")]
    [TestCase("\"x\"", "string", TestName = "FromJson_OfJsonString_ThrowsFormatException")]
    [TestCase("{\"type\": \"x\"}", "data", TestName = "FromJson_WithoutData_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"type\": 5}", "type", TestName = "FromJson_WithNumericType_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"id\": {}}", "id", TestName = "FromJson_WithObjectId_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"id\": true}", "id", TestName = "FromJson_WithBooleanId_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"retry\": \"500\"}", "retry", TestName = "FromJson_WithStringRetry_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"retry\": 1.5}", "retry", TestName = "FromJson_WithFractionalRetry_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"retry\": -1}", "retry", TestName = "FromJson_WithNegativeRetry_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"retry\": 2147483648}", "retry", TestName = "FromJson_WithRetryBeyondInt32_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"type\": \"a\\nevent:forged\"}", "type", TestName = "FromJson_WithLineBreakInType_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"id\": \"a\\u0000b\"}", "id", TestName = "FromJson_WithNulInId_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"id\": \"a\\rb\"}", "id", TestName = "FromJson_WithCarriageReturnInId_ThrowsFormatException")]
    [TestCase("{\"data\": \"\\ud800\"}", "can not be read", TestName = "FromJson_WithLoneSurrogateEscapeInData_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\"", "not JSON", TestName = "FromJson_OfTruncatedJson_ThrowsFormatException")]
    public void FromJson_OfInvalidPayload_ThrowsFormatExceptionSayingWhy(string json, string reason)
    {
        Assert.That(() => SseMessage.FromJson(json), Throws.TypeOf<FormatException>().With.Message.Contains(reason));
    }

    [Test]
    public void FromJson_ReasonQuotingThePayload_ShowsItsLineBreaksEscaped_SoALogLineCanNotBeForged()
    {
        // The reason quotes the retry value's JSON text, and JSON allows line breaks between tokens.
        var error = Assert.Throws<FormatException>(() => SseMessage.FromJson("{\"data\": \"x\", \"retry\": {\"a\":\r\n\"[ERR] forged\"}}"));

        Assert.That(error!.Message, Does.Contain(@"""retry"" is {""a"":\u000D\u000A""[ERR] forged""}").And.Not.Contain("\n").And.Not.Contain("\r"));
    }
}
