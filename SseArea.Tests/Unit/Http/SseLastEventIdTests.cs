using Microsoft.AspNetCore.Http;
using SseArea.Internal.Http;

namespace SseArea.Tests.Unit;

/// <summary>Reading Last-Event-ID: the header, else the lastEventId query value, checked.</summary>
public sealed class SseLastEventIdTests
{
    private static HttpRequest Request(string? header = null, string? query = null)
    {
        var http = new DefaultHttpContext();
        if (header is not null)
        {
            http.Request.Headers[SseRequestReader.LastEventIdHeader] = header;
        }

        if (query is not null)
        {
            http.Request.QueryString = QueryString.Create(SseRequestReader.LastEventIdParameter, query);
        }

        return http.Request;
    }

    [Test]
    public void Header_IsRead()
    {
        Assert.That(SseRequestReader.ReadLastEventId(Request(header: "1700-0"), out var error), Is.EqualTo("1700-0"));
        Assert.That(error, Is.Null);
    }

    [Test]
    public void QueryValue_IsReadWhenThereIsNoHeader()
    {
        Assert.That(SseRequestReader.ReadLastEventId(Request(query: "42"), out _), Is.EqualTo("42"));
    }

    [Test]
    public void Header_WinsOverTheQueryValue()
    {
        Assert.That(SseRequestReader.ReadLastEventId(Request(header: "h", query: "q"), out _), Is.EqualTo("h"));
    }

    [TestCase(null)]
    [TestCase("")]
    public void NoneOrEmpty_IsNull(string? value)
    {
        Assert.That(SseRequestReader.ReadLastEventId(Request(header: value), out var error), Is.Null);
        Assert.That(error, Is.Null);
    }

    [Test]
    public void LongValue_IsReadAsItIs_SoAManyChannelPositionIsNeverRefused()
    {
        // 16 channels, each id 1024 non-ASCII characters percent-encoded (9 characters each): far beyond the old 4096.
        var id = string.Join(',', Enumerable.Repeat(Uri.EscapeDataString(new string('é', SseMessage.MaxIdLength)), 16));

        Assert.That(SseRequestReader.ReadLastEventId(Request(header: id), out var error), Is.EqualTo(id));
        Assert.That(error, Is.Null);
    }

    [TestCase("a\tb")]
    [TestCase("a\u0007b")]
    public void ControlCharacterOtherThanLineBreakOrNul_IsReadAsItIs(string value)
    {
        Assert.That(SseRequestReader.ReadLastEventId(Request(query: value), out var error), Is.EqualTo(value));
        Assert.That(error, Is.Null);
    }

    [TestCase("a\nb", "U+000A")]
    [TestCase("a\rb", "U+000D")]
    [TestCase("a\0b", "U+0000")]
    public void LineBreakOrNul_IsAnErrorThatSaysSo(string value, string codePoint)
    {
        Assert.That(SseRequestReader.ReadLastEventId(Request(query: value), out var error), Is.Null);
        Assert.That(error, Does.Contain($"control character ({codePoint})"));
    }
}
