using System.Text;
using SseArea.Internal.Wire;

namespace SseArea.Tests.Unit;

/// <summary>The bytes of an event frame, measured and written in one allocation.</summary>
public sealed class SseWriterTests
{
    private static IEnumerable<TestCaseData> Messages()
    {
        yield return new TestCaseData(new SseMessage("foo"), "data:foo\n\n").SetArgDisplayNames("Plain");
        yield return new TestCaseData(new SseMessage(string.Empty), "data:\n\n").SetArgDisplayNames("Empty");
        yield return new TestCaseData(new SseMessage("a\rb\r\nc\nd\n"), "data:a\ndata:b\ndata:c\ndata:d\ndata:\n\n").SetArgDisplayNames("LineBreaks");
        yield return new TestCaseData(new SseMessage("\r\n"), "data:\ndata:\n\n").SetArgDisplayNames("OnlyCrLf");
        yield return new TestCaseData(new SseMessage("foo", "example", "5", 500), "event:example\ndata:foo\nid:5\nretry:500\n\n").SetArgDisplayNames("AllFields");
        yield return new TestCaseData(new SseMessage("x", retry: int.MaxValue), "data:x\nretry:2147483647\n\n").SetArgDisplayNames("MaxRetry");
        yield return new TestCaseData(new SseMessage("x", retry: 0), "data:x\nretry:0\n\n").SetArgDisplayNames("ZeroRetry");
        yield return new TestCaseData(new SseMessage("x", retry: 9), "data:x\nretry:9\n\n").SetArgDisplayNames("OneDigitRetry");
        yield return new TestCaseData(new SseMessage("x", retry: 10), "data:x\nretry:10\n\n").SetArgDisplayNames("TwoDigitRetry");
        yield return new TestCaseData(
            new SseMessage("\u00e9\u20ac\n\U0001F600\u65e5\u672c\u2028", "\u00fcber", "\u4e00\U0001F680", 1_000_000),
            "event:\u00fcber\ndata:\u00e9\u20ac\ndata:\U0001F600\u65e5\u672c\u2028\nid:\u4e00\U0001F680\nretry:1000000\n\n").SetArgDisplayNames("MultiByte");
        yield return new TestCaseData(SseMessage.Json("{\"message\":\"Hello!\"}", "greeting", null, null), "event:greeting\ndata:{\"message\":\"Hello!\"}\n\n").SetArgDisplayNames("Json");
        yield return new TestCaseData(new SseMessage(new string('x', 100_000)), "data:" + new string('x', 100_000) + "\n\n").SetArgDisplayNames("Large");
    }

    [TestCaseSource(nameof(Messages))]
    public void Format_WritesTheUtf8OfTheEventText(SseMessage message, string expected)
    {
        Assert.That(SseWriter.Format(message), Is.EqualTo(Encoding.UTF8.GetBytes(expected)));
    }

    [TestCaseSource(nameof(Messages))]
    public void Format_GivesTheSameBytesAsToString(SseMessage message, string expected)
    {
        Assert.That(Encoding.UTF8.GetString(SseWriter.Format(message)), Is.EqualTo(message.ToString()));
    }

    [Test]
    public void Format_WithMultiByteData_WritesNoByteOrderMark()
    {
        var frame = SseWriter.Format(new SseMessage("\u00e9"));

        Assert.That(frame, Is.EqualTo(new byte[] { (byte)'d', (byte)'a', (byte)'t', (byte)'a', (byte)':', 0xC3, 0xA9, (byte)'\n', (byte)'\n' }));
    }

    [Test]
    public void Format_CalledTwice_GivesSeparateEqualFrames()
    {
        var message = new SseMessage("foo");

        var first = SseWriter.Format(message);
        var second = SseWriter.Format(message);

        Assert.That(second, Is.Not.SameAs(first).And.EqualTo(first));
    }

    [Test]
    public void Heartbeat_IsACommentLineAndABlankLine()
    {
        Assert.That(SseWriter.Heartbeat.Bytes.ToArray(), Is.EqualTo(":heartbeat\n"u8.ToArray()));
    }

    [Test]
    public void Preamble_WithoutRetry_IsALoneColonComment()
    {
        Assert.That(SseWriter.Preamble(null), Is.EqualTo(":\n"u8.ToArray()));
    }

    [Test]
    public void Preamble_WithRetry_AddsTheRetryFieldInMilliseconds()
    {
        Assert.That(SseWriter.Preamble(TimeSpan.FromSeconds(2.5)), Is.EqualTo(":\nretry:2500\n"u8.ToArray()));
    }

    [Test]
    public void Position_IsABlockWithOnlyAnIdLine()
    {
        Assert.That(SseWriter.Position("1700-0"), Is.EqualTo("event:sse-position\ndata:{\"lastEventId\":\"1700-0\"}\nid:1700-0\n\n"u8.ToArray()));
    }

    [Test]
    public void MissedNotice_NamesTheChannelsAsJson_WithTheIdWhenGiven()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(SseWriter.MissedNotice(["a", "b\"c"])), Is.EqualTo("event:sse-missed\ndata:{\"channels\":[\"a\",\"b\\u0022c\"]}\n\n"));
            Assert.That(Encoding.UTF8.GetString(SseWriter.MissedNotice(["a"], "7")), Is.EqualTo("event:sse-missed\ndata:{\"channels\":[\"a\"]}\nid:7\n\n"));
        });
    }

    [Test]
    public void WriteWithId_ReplacesTheFramesIdLine_RetryBeforeTheId()
    {
        var frame = SseWriter.Event(new SseMessage("x\ny", type: "t", id: "9", retry: 100), "news");
        var output = new System.Buffers.ArrayBufferWriter<byte>();
        SseWriter.WriteWithId(output, frame, "9,\u00e9");
        Assert.Multiple(() =>
        {
            Assert.That(Encoding.UTF8.GetString(output.WrittenSpan), Is.EqualTo("event:t\ndata:x\ndata:y\nretry:100\nid:9,\u00e9\n\n"));
            Assert.That(Encoding.UTF8.GetString(frame.Bytes.Span), Is.EqualTo("event:t\ndata:x\ndata:y\nid:9\nretry:100\n\n"), "the shared frame is left as it was");
        });
    }
}
