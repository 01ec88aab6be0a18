using Microsoft.AspNetCore.Http;
using SseArea.Streaming;

namespace SseArea.Tests.Unit;

/// <summary>Reading Last-Event-ID: the header, else the lastEventId query value, checked.</summary>
public sealed class SseLastEventIdTests
{
    private static HttpRequest Request(string? header = null, string? query = null)
    {
        var http = new DefaultHttpContext();
        if (header is not null)
        {
            http.Request.Headers[SseLastEventId.HeaderName] = header;
        }

        if (query is not null)
        {
            http.Request.QueryString = QueryString.Create(SseLastEventId.QueryName, query);
        }

        return http.Request;
    }

    [Test]
    public void Header_IsRead()
    {
        Assert.That(SseLastEventId.Read(Request(header: "1700-0"), out var error), Is.EqualTo("1700-0"));
        Assert.That(error, Is.Null);
    }

    [Test]
    public void QueryValue_IsReadWhenThereIsNoHeader()
    {
        Assert.That(SseLastEventId.Read(Request(query: "42"), out _), Is.EqualTo("42"));
    }

    [Test]
    public void Header_WinsOverTheQueryValue()
    {
        Assert.That(SseLastEventId.Read(Request(header: "h", query: "q"), out _), Is.EqualTo("h"));
    }

    [TestCase(null)]
    [TestCase("")]
    public void NoneOrEmpty_IsNull(string? value)
    {
        Assert.That(SseLastEventId.Read(Request(header: value), out var error), Is.Null);
        Assert.That(error, Is.Null);
    }

    [Test]
    public void TooLong_IsAnErrorThatSaysSo()
    {
        Assert.That(SseLastEventId.Read(Request(query: new string('1', SseLastEventId.MaxLength + 1)), out var error), Is.Null);
        Assert.That(error, Does.Contain("lastEventId").And.Contain("at most 4096"));
    }

    [Test]
    public void ControlCharacter_IsAnErrorThatSaysSo()
    {
        Assert.That(SseLastEventId.Read(Request(query: "a\u0007b"), out var error), Is.Null);
        Assert.That(error, Does.Contain("control character (U+0007)"));
    }
}
