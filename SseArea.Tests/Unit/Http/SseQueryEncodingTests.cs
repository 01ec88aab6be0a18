using Microsoft.AspNetCore.Http;
using SseArea.Internal.Http;

namespace SseArea.Tests.Unit;

/// <summary>The stream request's check that its channel and lastEventId query values are UTF-8 once percent-decoded.</summary>
public sealed class SseQueryEncodingTests
{
    [TestCase(null)]
    [TestCase("")]
    [TestCase("?channel=sse")]
    [TestCase("?channel=caf%C3%A9&channel=%F0%9F%98%80&lastEventId=1-0")]
    [TestCase("?channel=%25FF")]
    [TestCase("?channel=%ZZ&channel=%")]
    [TestCase("?channel=a+b&channel")]
    [TestCase("?other=%FF&channelx=%FF")]
    public void ValidOrUnrelatedValues_PassTheCheck(string? query)
    {
        Assert.That(SseRequestReader.CheckEncoding(query), Is.Null);
    }

    [TestCase("?channel=%FF", "byte 0 (0xFF)")]
    [TestCase("?channel=%C3%28", "byte 0 (0xC3)")]
    [TestCase("?channel=%C0%AF", "byte 0 (0xC0)")]
    [TestCase("?channel=%ED%A0%80", "byte 0 (0xED)")]
    [TestCase("?channel=%F4%90%80%80", "byte 0 (0xF4)")]
    [TestCase("?channel=ok%E2%82", "byte 2 (0xE2)")]
    [TestCase("?Channel=%80", "byte 0 (0x80)")]
    [TestCase("?ch%61nnel=%FF", "byte 0 (0xFF)")]
    [TestCase("?channel=fine&lastEventId=%FE", "byte 0 (0xFE)")]
    public void ValueThatIsNotUtf8_IsNamedWithTheByte(string query, string where)
    {
        Assert.That(SseRequestReader.CheckEncoding(query), Does.Contain($"{where} does not start a valid UTF-8 sequence"));
    }

    [Test]
    public void TheEchoedValueIsShownEscapedAndShort()
    {
        var error = SseRequestReader.CheckEncoding("?channel=" + new string('a', 100) + "%FF");

        Assert.That(error, Does.StartWith("The query value 'channel=" + new string('a', 56) + "\u2026'"));
    }

    [TestCase("?channel=%FF", "%FF")]
    [TestCase("?channel=%C0%AF", "%C0%AF")]
    [TestCase("?channel=%25FF", "%FF")]
    public void AspNetCoresQueryParser_LeavesAnInvalidSequenceUndecoded_SoOnlyTheRawQueryTellsTheTwoApart(string query, string parsed)
    {
        var http = new DefaultHttpContext();
        http.Request.QueryString = new QueryString(query);

        Assert.That(http.Request.Query["channel"].ToString(), Is.EqualTo(parsed));
    }
}
