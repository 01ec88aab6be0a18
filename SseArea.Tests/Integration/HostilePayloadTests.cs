using System.Text;
using System.Text.Json;
using SseArea.Tests.Infrastructure;
using StackExchange.Redis;

namespace SseArea.Tests.Integration;

/// <summary>
/// Hostile Flask-SSE payloads PUBLISHed as raw bytes on the run's real Redis by a plain client (any app
/// on that Redis can): an invalid one is skipped with a log, and the client sees exactly the next valid
/// event; an odd but valid one arrives as exact event text. Never a forged field or event.
/// </summary>
/// <remarks>
/// <see cref="SseTestStream"/> decodes strictly (invalid UTF-8 throws), so comparing its text is
/// comparing the bytes on the wire.
/// </remarks>
[CancelAfter(60_000)]
public sealed class HostilePayloadTests() : HostileSiteFixture(BrokerKind.Redis)
{
    private const string Marker = "{\"data\": \"next valid event\"}";
    private const string MarkerEvent = "data:next valid event\n\n";

    private static int _channels;

    private RedisTestServer _redis = null!;

    [OneTimeSetUp]
    public async Task FindRedisAsync() => _redis = await RedisTestServer.GetAsync();

    private static TestCaseData Bytes(string name, params byte[][] parts) => new TestCaseData(parts.SelectMany(p => p).ToArray()).SetArgDisplayNames(name);

    private static TestCaseData Text(string name, string payload) => Bytes(name, Encoding.UTF8.GetBytes(payload));

    private static IEnumerable<TestCaseData> InvalidPayloads()
    {
        // Not JSON, or not one JSON object.
        yield return Text("NotJson", "not json");
        yield return Text("Empty", "");
        yield return Text("Truncated", "{\"data\": \"x\"");
        yield return Text("TrailingText", "{\"data\": \"x\"} trailing");
        yield return Text("TwoObjects", "{\"data\": \"x\"}\n{\"data\": \"y\"}");
        yield return Text("SseTextAfterTheObject", "{\"data\": \"x\"}\n\nevent:forged\ndata:forged\n\n");
        yield return Text("SseTextAlone", "event:forged\ndata:forged\n\n");
        yield return Text("Array", "[\"data\"]");
        yield return Text("String", "\"data\"");
        yield return Text("Null", "null");
        yield return Text("Number", "42");
        yield return Text("Comment", "{\"data\": \"x\" /* c */}");
        yield return Text("TrailingComma", "{\"data\": \"x\",}");
        yield return Text("SingleQuotes", "{'data': 'x'}");
        yield return Text("NaN", "{\"data\": NaN}");
        yield return Text("RawLineFeedInAString", "{\"data\": \"a\nevent:forged\"}");
        yield return Text("NestedTooDeep", "{\"data\": " + new string('[', 100) + new string(']', 100) + "}");
        yield return Bytes("ByteOrderMark", [0xEF, 0xBB, 0xBF], "{\"data\": \"x\"}"u8.ToArray());

        // Bytes that are not UTF-8.
        yield return Bytes("InvalidUtf8InData", "{\"data\": \""u8.ToArray(), [0xFF], "\"}"u8.ToArray());
        yield return Bytes("OverlongInData", "{\"data\": \""u8.ToArray(), [0xC0, 0xAF], "\"}"u8.ToArray());
        yield return Bytes("EncodedSurrogateInData", "{\"data\": \""u8.ToArray(), [0xED, 0xA0, 0x80], "\"}"u8.ToArray());
        yield return Bytes("BrokenSequenceInType", "{\"data\": \"x\", \"type\": \""u8.ToArray(), [0xC3, 0x28], "\"}"u8.ToArray());

        // The wrong shape or types.
        yield return Text("NoData", "{}");
        yield return Text("OnlyType", "{\"type\": \"no data\"}");
        yield return Text("DataInOtherCase", "{\"Data\": \"x\"}");
        yield return Text("TypeNumber", "{\"data\": \"x\", \"type\": 7}");
        yield return Text("TypeObject", "{\"data\": \"x\", \"type\": {\"a\": 1}}");
        yield return Text("TypeArray", "{\"data\": \"x\", \"type\": [\"a\"]}");
        yield return Text("TypeBoolean", "{\"data\": \"x\", \"type\": true}");
        yield return Text("IdObject", "{\"data\": \"x\", \"id\": {\"a\": 1}}");
        yield return Text("IdArray", "{\"data\": \"x\", \"id\": [1]}");
        yield return Text("IdBoolean", "{\"data\": \"x\", \"id\": false}");
        yield return Text("RetryString", "{\"data\": \"x\", \"retry\": \"soon\"}");
        yield return Text("RetryNumericString", "{\"data\": \"x\", \"retry\": \"500\"}");
        yield return Text("RetryNegative", "{\"data\": \"x\", \"retry\": -1}");
        yield return Text("RetryFraction", "{\"data\": \"x\", \"retry\": 1.5}");
        yield return Text("RetryPastInt32", "{\"data\": \"x\", \"retry\": 2147483648}");
        yield return Text("RetryHuge", "{\"data\": \"x\", \"retry\": 1e30}");
        yield return Text("RetryObject", "{\"data\": \"x\", \"retry\": {}}");

        // Fields that would forge others.
        yield return Text("LfInType", "{\"data\": \"x\", \"type\": \"a\\nevent:forged\"}");
        yield return Text("CrInType", "{\"data\": \"x\", \"type\": \"a\\rdata:forged\"}");
        yield return Text("CrLfInType", "{\"data\": \"x\", \"type\": \"a\\r\\n\\r\\nevent:forged\"}");
        yield return Text("LfInId", "{\"data\": \"x\", \"id\": \"1\\nevent:forged\"}");
        yield return Text("CrInId", "{\"data\": \"x\", \"id\": \"1\\rretry:1\"}");
        yield return Text("CrLfInId", "{\"data\": \"x\", \"id\": \"1\\r\\ndata:forged\"}");
        yield return Text("NulInId", "{\"data\": \"x\", \"id\": \"1\\u0000\"}");
        yield return Text("LoneSurrogateInData", "{\"data\": \"\\ud800\"}");
        yield return Text("LoneSurrogateInType", "{\"data\": \"x\", \"type\": \"\\udc00\"}");
        yield return Text("LoneSurrogateInId", "{\"data\": \"x\", \"id\": \"a\\ud800\"}");
    }

    [TestCaseSource(nameof(InvalidPayloads))]
    public async Task InvalidPayload_IsSkippedWithALog_AndTheClientSeesExactlyTheNextValidEvent(byte[] payload)
    {
        var channel = "payload." + Interlocked.Increment(ref _channels);
        await using var stream = await OpenPastPreambleAsync(Http, "/sse/stream?channel=" + channel);

        await PublishAsync(channel, payload);
        await _redis.PublishRawAsync(channel, Marker);

        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo(MarkerEvent));
        var skipped = Logs.GetSnapshot().Where(r => r.Id.Name == "RedisInvalidPayload" && r.Message.Contains($"'{channel}'", StringComparison.Ordinal)).ToList();
        Assert.That(skipped, Has.Count.EqualTo(1), "one warning for the skipped payload");
    }

    private static IEnumerable<TestCaseData> OddButValidPayloads()
    {
        yield return Text("EscapedLineFeedInJsonData", "{\"data\": {\"k\": \"v\\nw\"}}").Returns("data:{\"k\": \"v\\nw\"}\n\n");
        yield return Text("PrettyPrintedJsonData", "{\"data\": {\n  \"k\": 1\r\n}}").Returns("data:{\ndata:  \"k\": 1\ndata:}\n\n");
        yield return Text("NulInType", "{\"data\": \"x\", \"type\": \"a\\u0000b\"}").Returns("event:a\0b\ndata:x\n\n");
        yield return Text("LineSeparatorInType", "{\"data\": \"x\", \"type\": \"a\\u2028b\"}").Returns("event:a\u2028b\ndata:x\n\n");
        yield return Text("TabInId", "{\"data\": \"x\", \"id\": \"a\\tb\"}").Returns("data:x\nid:a\tb\n\n");
        yield return Text("NumberIdAsWritten", "{\"data\": \"x\", \"id\": -1.5e3}").Returns("data:x\nid:-1.5e3\n\n");
        yield return Text("ZeroRetry", "{\"data\": \"x\", \"retry\": 0}").Returns("data:x\nretry:0\n\n");
        yield return Text("LargestRetry", "{\"data\": \"x\", \"retry\": 2147483647}").Returns("data:x\nretry:2147483647\n\n");
        yield return Text("EmptyTypeAndId", "{\"data\": \"x\", \"type\": \"\", \"id\": \"\"}").Returns("data:x\n\n");
        yield return Text("NullTypeIdRetry", "{\"data\": \"x\", \"type\": null, \"id\": null, \"retry\": null}").Returns("data:x\n\n");
        yield return Text("UnknownFieldsIgnored", "{\"data\": \"x\", \"event\": \"forged\", \"extra\": 1}").Returns("data:x\n\n");
        yield return Text("DataThatLooksLikeFields", "{\"data\": \"x\\n\\nevent:forged\\nid:1\\nretry:1\"}").Returns("data:x\ndata:\ndata:event:forged\ndata:id:1\ndata:retry:1\n\n");
    }

    [TestCaseSource(nameof(OddButValidPayloads))]
    public async Task<string> OddButValidPayload_ArrivesAsExactEventText(byte[] payload)
    {
        var channel = "payload." + Interlocked.Increment(ref _channels);
        await using var stream = await OpenPastPreambleAsync(Http, "/sse/stream?channel=" + channel);

        await PublishAsync(channel, payload);
        await _redis.PublishRawAsync(channel, Marker);

        var block = await stream.ReadBlockAsync();
        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo(MarkerEvent), "and nothing more");
        return block;
    }

    [TestCaseSource(typeof(HostileInputTests), nameof(HostileInputTests.LineBreakData))]
    public async Task RedisPayloadDataWithLineBreaks_IsSplitIntoDataLines_ThatABrowserJoinsBack(string data, string expectedLines)
    {
        var channel = "payload." + Interlocked.Increment(ref _channels);
        await using var stream = await OpenPastPreambleAsync(Http, "/sse/stream?channel=" + channel);

        await _redis.PublishRawAsync(channel, JsonSerializer.Serialize(new Dictionary<string, string> { ["data"] = data, ["type"] = "note" }));

        var block = await stream.ReadBlockAsync();
        Assert.That(block, Is.EqualTo("event:note\n" + expectedLines + "\n"));
        HostileInputTests.AssertABrowserSeesOneEvent(block, "note", data);
    }

    [Test]
    public async Task SkippedPayloadWarning_SaysWhyWithoutALineBreakOfThePayload()
    {
        var channel = "payload." + Interlocked.Increment(ref _channels);
        await using var stream = await OpenPastPreambleAsync(Http, "/sse/stream?channel=" + channel);

        // The reason quotes the retry value's JSON text, line breaks between its tokens included.
        await _redis.PublishRawAsync(channel, "{\"data\": \"x\", \"retry\": {\"a\":\r\n\"[ERR] forged\"}}");
        await _redis.PublishRawAsync(channel, Marker);

        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo(MarkerEvent));
        var warning = Logs.GetSnapshot().Single(r => r.Id.Name == "RedisInvalidPayload" && r.Message.Contains($"'{channel}'", StringComparison.Ordinal));
        var reason = warning.StructuredState!.Single(p => p.Key == "Reason").Value!;
        Assert.That(reason, Does.Contain(@"""retry"" is {""a"":\u000D\u000A""[ERR] forged""}, not a non-negative integer"));
        Assert.That(HoldsLineBreakOrControl(reason), Is.False, reason);
    }

    private Task<long> PublishAsync(string channel, byte[] payload)
        => _redis.Client.GetSubscriber().PublishAsync(RedisChannel.Literal(channel), payload);
}
