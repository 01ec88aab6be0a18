using System.Text;
using System.Text.Json;
using SseArea.Internal.Redis;

namespace SseArea.Tests.Unit;

/// <summary>Flask-SSE's Redis payload, written and read in one place, so a Python Flask-SSE app and SseArea read each other's events.</summary>
public sealed class RedisProtocolTests
{
    private static SseMessage Read(string json)
        => RedisProtocol.TryRead(Encoding.UTF8.GetBytes(json), out var message, out var error) ? message : throw new FormatException(error);

    private static string Write(SseMessage message) => Encoding.UTF8.GetString(RedisProtocol.Write(message));

    /// <summary>An event as the publisher makes it from an object: JSON text of the value.</summary>
    private static SseMessage Json(object value, string? type = null, string? id = null, int? retry = null)
        => SseMessage.Json(JsonSerializer.Serialize(value, value.GetType(), JsonSerializerOptions.Web), type, id, retry);

    [Test]
    public void ToString_OfDictionaryAsJson_SendsCompactJson()
    {
        var message = Json(new Dictionary<string, string> { ["message"] = "Hello!" });

        Assert.That(message.ToString(), Is.EqualTo("data:{\"message\":\"Hello!\"}\n\n"));
    }

    [Test]
    public void ToString_OfAnonymousObjectAsJson_SendsCamelCaseJson()
    {
        var message = Json(new { Message = "Hello!" });

        Assert.That(message.ToString(), Is.EqualTo("data:{\"message\":\"Hello!\"}\n\n"));
    }

    [Test]
    public void ToString_OfFlaskSsePayloadWithObjectData_KeepsThePythonJsonText()
    {
        var message = Read("{\"data\": {\"message\": \"Hello!\"}}");

        Assert.That(message.ToString(), Is.EqualTo("data:{\"message\": \"Hello!\"}\n\n"));
    }

    [Test]
    public void Read_OfAPayloadWhoseIdHoldsATab_KeepsItAsOtherPublishersSentIt()
    {
        Assert.That(Read("{\"data\": \"x\", \"id\": \"a\\tb\"}").ToString(), Is.EqualTo("data:x\nid:a\tb\n\n"));
    }

    [Test]
    public void Write_WithDataOnly_WritesOnlyData()
    {
        Assert.That(Write(new SseMessage("thing")), Is.EqualTo("{\"data\":\"thing\"}"));
    }

    [Test]
    public void Write_WithType_WritesDataAndType()
    {
        Assert.That(Write(new SseMessage("thing", "example")), Is.EqualTo("{\"data\":\"thing\",\"type\":\"example\"}"));
    }

    [Test]
    public void Write_WithAllFields_WritesIdAsStringAndRetryAsNumber()
    {
        Assert.That(Write(new SseMessage("foo", "example", "5", 500)), Is.EqualTo("{\"data\":\"foo\",\"type\":\"example\",\"id\":\"5\",\"retry\":500}"));
    }

    [Test]
    public void Write_WithJsonData_WritesTheValueNotAString()
    {
        var message = Json(new { Message = "Hello!" }, type: "greeting");

        Assert.That(Write(message), Is.EqualTo("{\"data\":{\"message\":\"Hello!\"},\"type\":\"greeting\"}"));
    }

    private static IEnumerable<TestCaseData> RoundTripMessages()
    {
        yield return new TestCaseData(new SseMessage("thing")).SetArgDisplayNames("DataOnly");
        yield return new TestCaseData(new SseMessage("thing", "example")).SetArgDisplayNames("Type");
        yield return new TestCaseData(new SseMessage("foo", "example", "5", 500)).SetArgDisplayNames("AllFields");
        yield return new TestCaseData(new SseMessage(string.Empty)).SetArgDisplayNames("EmptyData");
        yield return new TestCaseData(new SseMessage("a\rb\r\nc\n\"q\" <&> \u00e9 \U0001F600 \u2028", "t\0", "id \u00e9", 0)).SetArgDisplayNames("Awkward");
        yield return new TestCaseData(new SseMessage("{\"looks\":\"like json\"}")).SetArgDisplayNames("JsonLookingString");
        yield return new TestCaseData(Json(new { Message = "Hello!" }, type: "greeting")).SetArgDisplayNames("JsonObject");
        yield return new TestCaseData(Json(new[] { 1, 2, 3 })).SetArgDisplayNames("JsonArray");
        yield return new TestCaseData(Json(42, id: "7", retry: int.MaxValue)).SetArgDisplayNames("JsonNumber");
        yield return new TestCaseData(SseMessage.Json("{\"message\": \"Hello!\"}", null, null, null)).SetArgDisplayNames("JsonWithSpaces");
    }

    [TestCaseSource(nameof(RoundTripMessages))]
    public void Read_OfWrite_GivesAnEqualMessage(SseMessage message)
    {
        Assert.That(Read(Write(message)), Is.EqualTo(message));
    }

    [Test]
    public void Read_OfFlaskSseDataOnlyPayload_ReadsData()
    {
        Assert.That(Read("{\"data\": \"thing\"}"), Is.EqualTo(new SseMessage("thing")));
    }

    [Test]
    public void Read_OfFlaskSsePayloadWithType_ReadsDataAndType()
    {
        Assert.That(Read("{\"data\": \"thing\", \"type\": \"example\"}"), Is.EqualTo(new SseMessage("thing", "example")));
    }

    [Test]
    public void Read_OfFlaskSsePayloadWithObjectData_KeepsTheJsonTextAndMarksItJson()
    {
        var message = Read("{\"data\": {\"message\": \"Hello!\"}, \"type\": \"greeting\"}");

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
    public void Read_OfFlaskSsePayloadWithNumericId_ReadsIdAsText()
    {
        var message = Read("{\"data\": \"foo\", \"type\": \"example\", \"id\": 5, \"retry\": 500}");

        Assert.That(message, Is.EqualTo(new SseMessage("foo", "example", "5", 500)));
        Assert.That(message.ToString(), Is.EqualTo("event:example\ndata:foo\nid:5\nretry:500\n\n"));
    }

    [Test]
    public void Read_WithNullOptionalFields_TreatsThemAsAbsent()
    {
        Assert.That(Read("{\"data\": \"x\", \"type\": null, \"id\": null, \"retry\": null}"), Is.EqualTo(new SseMessage("x")));
    }

    [TestCase("not json", "not JSON", TestName = "Read_OfNonJson_ThrowsFormatException")]
    [TestCase("[{\"data\": \"x\"}]", "array", TestName = "Read_OfJsonArray_ThrowsFormatException")]
    [TestCase("\"x\"", "string", TestName = "Read_OfJsonString_ThrowsFormatException")]
    [TestCase("{\"type\": \"x\"}", "data", TestName = "Read_WithoutData_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"type\": 5}", "type", TestName = "Read_WithNumericType_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"id\": {}}", "id", TestName = "Read_WithObjectId_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"id\": true}", "id", TestName = "Read_WithBooleanId_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"retry\": \"500\"}", "retry", TestName = "Read_WithStringRetry_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"retry\": 1.5}", "retry", TestName = "Read_WithFractionalRetry_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"retry\": -1}", "retry", TestName = "Read_WithNegativeRetry_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"retry\": 2147483648}", "retry", TestName = "Read_WithRetryBeyondInt32_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"type\": \"a\\nevent:forged\"}", "type", TestName = "Read_WithLineBreakInType_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"id\": \"a\\u0000b\"}", "id", TestName = "Read_WithNulInId_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\", \"id\": \"a\\rb\"}", "id", TestName = "Read_WithCarriageReturnInId_ThrowsFormatException")]
    [TestCase("{\"data\": \"\\ud800\"}", "can not be read", TestName = "Read_WithLoneSurrogateEscapeInData_ThrowsFormatException")]
    [TestCase("{\"data\": \"x\"", "not JSON", TestName = "Read_OfTruncatedJson_ThrowsFormatException")]
    public void Read_OfInvalidPayload_ThrowsFormatExceptionSayingWhy(string json, string reason)
    {
        Assert.That(() => Read(json), Throws.TypeOf<FormatException>().With.Message.Contains(reason));
    }

    [Test]
    public void Read_ReasonQuotingThePayload_ShowsItsLineBreaksEscaped_SoALogLineCanNotBeForged()
    {
        // The reason quotes the retry value's JSON text, and JSON allows line breaks between tokens.
        var error = Assert.Throws<FormatException>(() => Read("{\"data\": \"x\", \"retry\": {\"a\":\r\n\"[ERR] forged\"}}"));

        Assert.That(error!.Message, Does.Contain(@"""retry"" is {""a"":\u000D\u000A""[ERR] forged""}").And.Not.Contain("\n").And.Not.Contain("\r"));
    }
}
