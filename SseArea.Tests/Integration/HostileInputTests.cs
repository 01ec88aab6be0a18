using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// Hostile stream requests and hostile data (issue 7, point 5), on each broker, over real sockets:
/// every one gets a 400 that says why, an answer of Kestrel's own, or a documented acceptance;
/// never a 500, a pattern subscription, a forged field or a forged event.
/// </summary>
[TestFixture(BrokerKind.InMemory)]
[TestFixture(BrokerKind.Redis)]
[CancelAfter(60_000)]
public sealed class HostileInputTests(BrokerKind broker) : HostileSiteFixture(broker)
{
    // ---- Channel names ----

    [TestCase("%00", "U+0000", @"\u0000")]
    [TestCase("a%0Db", "U+000D", @"a\u000Db")]
    [TestCase("a%0Ab", "U+000A", @"a\u000Ab")]
    [TestCase("a%09b", "U+0009", @"a\u0009b")]
    [TestCase("a%1Bb", "U+001B", @"a\u001Bb")]
    [TestCase("a%7Fb", "U+007F", @"a\u007Fb")]
    [TestCase("a%C2%85b", "U+0085", @"a\u0085b")]
    public async Task ChannelWithAControlCharacter_Answers400NamingItAndShowingItEscaped(string channel, string codePoint, string shown)
    {
        using var response = await Http.GetAsync("/sse/stream?channel=" + channel);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, $"Invalid channel '{shown}': The channel name holds a control character ({codePoint}) at position");
    }

    [Test]
    public async Task ChannelNamedLikeRedisOwn_Answers400_AndCanNotBePublishedTo()
    {
        using var response = await Http.GetAsync("/sse/stream?channel=__Booksleeve_MasterChanged");

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, "Invalid channel '__Booksleeve_MasterChanged': Channel names starting with '__' are reserved");
        Assert.That(
            async () => await Publisher.PublishAsync("x", channel: "__Booksleeve_MasterChanged"),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("channel").And.Message.Contains("reserved"));
    }

    [TestCase("a%E2%80%A8b", "U+2028")]
    [TestCase("a%E2%80%A9b", "U+2029")]
    public async Task ChannelWithALineOrParagraphSeparator_Answers400NamingIt(string channel, string codePoint)
    {
        using var response = await Http.GetAsync("/sse/stream?channel=" + channel);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, $"The channel name holds a line or paragraph separator ({codePoint}) at position 1.");
    }

    [TestCase("channel=%FF", "byte 0 (0xFF)")]
    [TestCase("channel=%C3%28", "byte 0 (0xC3)")]
    [TestCase("channel=%C0%AF", "byte 0 (0xC0)")]
    [TestCase("channel=%ED%A0%80", "byte 0 (0xED)")]
    [TestCase("channel=ok%F0%9F%98", "byte 2 (0xF0)")]
    [TestCase("channel=fine&CHANNEL=%FF", "byte 0 (0xFF)")]
    [TestCase("ch%61nnel=%FF", "byte 0 (0xFF)")]
    [TestCase("lastEventId=%FF", "byte 0 (0xFF)")]
    public async Task QueryValueThatIsNotUtf8_Answers400NamingTheByte(string query, string where)
    {
        using var response = await Http.GetAsync("/sse/stream?" + query);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, $"is not UTF-8 text once percent-decoded: {where} does not start a valid UTF-8 sequence");
    }

    [Test]
    public async Task NonAsciiBytesSentRawInTheRequestLine_AreRefusedByKestrelWith400()
    {
        var (status, head) = await RawRequestAsync([.. "/sse/stream?channel="u8, 0xFF, 0xFE]);

        Assert.That(status, Is.EqualTo(400), head);
    }

    [Test]
    public async Task EncodedValueThatLooksLikeAnEscape_IsItsOwnChannel()
    {
        // %25FF is the three characters "%FF": a valid name, not the byte 0xFF.
        await using var stream = await OpenPastPreambleAsync(Http, "/sse/stream?channel=%25FF");

        await Publisher.PublishAsync("percent", channel: "%FF");

        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo("data:percent\n\n"));
    }

    [Test]
    public async Task TenThousandCharacterChannel_IsRefused_ByKestrelWith414_AndBySseAreaWith400()
    {
        var url = "/sse/stream?channel=" + new string('x', 10_000);

        using var real = await Http.GetAsync(url);
        using var unlimited = await UnlimitedHttp.GetAsync(url);

        Assert.That(real.StatusCode, Is.EqualTo(HttpStatusCode.RequestUriTooLong), "Kestrel's request line limit (8 KB) answers first");
        await Problems.AssertAsync(unlimited, HttpStatusCode.BadRequest, "The channel name is 10000 characters long; the limit is 256.");
    }

    [Test]
    public async Task UnicodeChannel_IsAcceptedAndRoundTrips()
    {
        const string Channel = "caf\u00e9.\u65e5\u672c.\U0001F680.\u05e9\u05dc\u05d5\u05dd";
        await using var stream = await OpenPastPreambleAsync(Http, "/sse/stream?channel=" + Uri.EscapeDataString(Channel));

        await Publisher.PublishAsync("\u00fcber \U0001F600", channel: Channel);

        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo("data:\u00fcber \U0001F600\n\n"));
        if (Broker == BrokerKind.Redis)
        {
            var redis = await RedisTestServer.GetAsync();
            Assert.That(await redis.NumSubAsync(Channel), Is.EqualTo(1), "subscribed under its UTF-8 name");
            await redis.PublishRawAsync(Channel, "{\"data\": \"from Python\"}");
            Assert.That(await stream.ReadBlockAsync(), Is.EqualTo("data:from Python\n\n"), "a raw PUBLISH to the UTF-8 name reaches it");
        }
    }

    // ---- Many channel values ----

    [Test]
    public async Task OneThousandChannels_AreRefused_ByKestrelWith414_AndBySseAreaWith400NamingTheLimit()
    {
        var url = "/sse/stream?" + string.Join("&", Enumerable.Range(0, 1000).Select(i => "channel=many." + i));

        using var real = await Http.GetAsync(url);
        using var unlimited = await UnlimitedHttp.GetAsync(url);

        Assert.That(real.StatusCode, Is.EqualTo(HttpStatusCode.RequestUriTooLong), "Kestrel's request line limit answers first");
        await Problems.AssertAsync(unlimited, HttpStatusCode.BadRequest, $"A stream may follow at most 16 channels ({TestSettings.MaxChannelsPerConnection}); this request asks for more.");
        if (Broker == BrokerKind.Redis)
        {
            var redis = await RedisTestServer.GetAsync();
            for (var i = 0; i < 20; i++)
            {
                Assert.That(await redis.NumSubAsync("many." + i), Is.Zero, $"nothing subscribed to many.{i}");
            }
        }
    }

    [Test]
    public async Task OneThousandCopiesOfOneChannel_FollowItOnce()
    {
        var url = "/sse/stream?" + string.Join("&", Enumerable.Repeat("channel=copies", 1000));
        using (var real = await Http.GetAsync(url))
        {
            Assert.That(real.StatusCode, Is.EqualTo(HttpStatusCode.RequestUriTooLong), "Kestrel's request line limit answers first");
        }

        await using var stream = await OpenPastPreambleAsync(UnlimitedHttp, url);
        var publisher = Unlimited.Publisher;

        await publisher.PublishAsync("first", channel: "copies");
        await publisher.PublishAsync("second", channel: "copies");

        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo("data:first\n\n"));
        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo("data:second\n\n"), "each event once, not once per copy");
        if (Broker == BrokerKind.Redis)
        {
            Assert.That(await (await RedisTestServer.GetAsync()).NumSubAsync("copies"), Is.EqualTo(1), "one Redis subscription");
        }
    }

    // ---- Pattern characters ----

    [TestCase("*", "anything")]
    [TestCase("?", "x")]
    [TestCase("[", "a")]
    [TestCase("h[ae]llo", "hallo")]
    [TestCase("news.*", "news.sport")]
    [TestCase("user.?", "user.1")]
    public async Task ChannelNamedLikeAPattern_IsFollowedAsALiteralName(string channel, string matchedByThePattern)
    {
        await using var stream = await OpenPastPreambleAsync(Http, "/sse/stream?channel=" + Uri.EscapeDataString(channel));
        await using var other = await OpenPastPreambleAsync(Http, "/sse/stream?channel=" + Uri.EscapeDataString(matchedByThePattern));
        var redis = Broker == BrokerKind.Redis ? await RedisTestServer.GetAsync() : null;

        // A pattern subscription would deliver this first; the literal channel gets only its own event.
        if (redis is not null)
        {
            Assert.That(await redis.NumPatAsync(), Is.Zero, "no pattern subscription (PUBSUB NUMPAT)");
            Assert.That(await redis.NumSubAsync(channel), Is.EqualTo(1), "a literal subscription (PUBSUB NUMSUB)");
            await redis.PublishRawAsync(matchedByThePattern, "{\"data\": \"matched\"}");
        }
        else
        {
            await Publisher.PublishAsync("matched", channel: matchedByThePattern);
        }

        await Publisher.PublishAsync("literal", channel: channel);

        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo("data:literal\n\n"));
        Assert.That(await other.ReadBlockAsync(), Is.EqualTo("data:matched\n\n"));
        if (redis is not null)
        {
            Assert.That(await redis.NumPatAsync(), Is.Zero, "still no pattern subscription");
        }
    }

    // ---- Last-Event-ID ----

    [Test]
    public async Task HundredKilobyteLastEventId_IsRefusedByKestrel_431AsAHeaderAnd414AsAQueryValue()
    {
        var huge = new string('7', 100 * 1024);
        using var header = new HttpRequestMessage(HttpMethod.Get, "/sse/stream?channel=huge.id");
        header.Headers.TryAddWithoutValidation("Last-Event-ID", huge);

        using var byHeader = await Http.SendAsync(header, HttpCompletionOption.ResponseHeadersRead);
        using var byQuery = await Http.GetAsync("/sse/stream?channel=huge.id&lastEventId=" + huge, HttpCompletionOption.ResponseHeadersRead);

        Assert.That(byHeader.StatusCode, Is.EqualTo(HttpStatusCode.RequestHeaderFieldsTooLarge), "Kestrel's header limit (32 KB)");
        Assert.That(byQuery.StatusCode, Is.EqualTo(HttpStatusCode.RequestUriTooLong), "Kestrel's request line limit (8 KB)");
    }

    [Test]
    public async Task HundredKilobyteLastEventId_WithoutServerLimits_IsAnUnknownIdAndTheStreamOpens()
    {
        var huge = new string('7', 100 * 1024);
        await using var stream = await OpenPastPreambleAsync(UnlimitedHttp, "/sse/stream?channel=huge.id&lastEventId=" + huge);

        await Unlimited.Publisher.PublishAsync("after", channel: "huge.id");

        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo("data:after\n\n"), "history is off: the id is ignored, as Flask-SSE does");
    }

    [TestCase(1, "7")]
    [TestCase(2, ",")]
    [TestCase(2, "%")]
    public async Task HundredKilobyteLastEventId_WithHistoryOn_GetsTheMissedNotice_ThenLiveEvents(int channels, string repeated)
    {
        // The test server: a 100 KB header is past Kestrel's limit.
        await using var site = await TestSite.StartAsync(Options(inMemoryServer: true, new() { [TestSettings.HistoryLength] = "8" }));
        var http = site.Http;
        var publisher = site.Publisher;
        var names = Enumerable.Range(0, channels).Select(i => $"huge.history.{Broker}.{repeated.GetHashCode(StringComparison.Ordinal):x}.{i}").ToList();
        foreach (var name in names)
        {
            await publisher.PublishAsync("before", channel: name);
        }

        var url = "/sse/stream?" + string.Join("&", names.Select(n => "channel=" + n));
        await using var stream = await SseTestStream.OpenAsync(http, url, h => h.TryAddWithoutValidation("Last-Event-ID", string.Concat(Enumerable.Repeat(repeated, 100 * 1024))));
        await publisher.PublishAsync("live", channel: names[0]);

        Assert.That(await stream.ReadEventAsync(), Does.StartWith($"event:sse-missed\ndata:{{\"channels\":[{string.Join(",", names.Select(n => $"\"{n}\""))}]}}\nid:"));
        Assert.That(await stream.ReadEventAsync(), Does.StartWith("data:live\nid:"));
    }

    [TestCase("a%0Ab", "U+000A")]
    [TestCase("a%0Db", "U+000D")]
    [TestCase("a%00b", "U+0000")]
    public async Task LastEventIdQueryValueWithALineBreakOrNul_Answers400NamingIt(string value, string codePoint)
    {
        using var response = await Http.GetAsync("/sse/stream?channel=bad.id&lastEventId=" + value);

        await Problems.AssertAsync(response, HttpStatusCode.BadRequest, $"The query value lastEventId holds a control character ({codePoint}) that no event id holds (CR, LF or NUL).");
    }

    [TestCase("a%09b")]
    [TestCase("a%1Bb")]
    [TestCase("a%7Fb")]
    [TestCase("%E2%80%AE")]
    [TestCase("%25%2C%2C%2C")]
    public async Task LastEventIdWithOtherOddCharacters_IsAnUnknownIdAndTheStreamOpens(string value)
    {
        await using var stream = await OpenPastPreambleAsync(Http, "/sse/stream?channel=odd.id&lastEventId=" + value);

        await Publisher.PublishAsync("after", channel: "odd.id");

        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo("data:after\n\n"));
    }

    private static IEnumerable<TestCaseData> RawLastEventIdHeaders()
    {
        yield return new TestCaseData(new byte[] { (byte)'a', 0x00, (byte)'b' }, 400).SetArgDisplayNames("Nul");
        yield return new TestCaseData(new byte[] { (byte)'a', 0x0D, (byte)'b' }, 400).SetArgDisplayNames("LoneCr");
        yield return new TestCaseData(new byte[] { (byte)'a', 0x1B, (byte)'b' }, 200).SetArgDisplayNames("Esc");
        yield return new TestCaseData(new byte[] { (byte)'a', 0x7F, (byte)'b' }, 200).SetArgDisplayNames("Del");
        yield return new TestCaseData(new byte[] { (byte)'a', 0x09, (byte)'b' }, 200).SetArgDisplayNames("Tab");
        yield return new TestCaseData(new byte[] { 0xFF, 0xFE }, 400).SetArgDisplayNames("InvalidUtf8");
        yield return new TestCaseData(new byte[] { 0xC3, 0x28 }, 400).SetArgDisplayNames("BrokenSequence");
        yield return new TestCaseData(new byte[] { 0xC0, 0xAF }, 400).SetArgDisplayNames("Overlong");
        yield return new TestCaseData(new byte[] { 0xED, 0xA0, 0x80 }, 400).SetArgDisplayNames("Surrogate");
        yield return new TestCaseData(new byte[] { 0xC3, 0xA9 }, 200).SetArgDisplayNames("ValidUtf8");
    }

    [TestCaseSource(nameof(RawLastEventIdHeaders))]
    public async Task LastEventIdHeaderWithRawBytes_GetsKestrelsAnswerOrTheStream_NeverA500(byte[] value, int expected)
    {
        var (status, head) = await RawRequestAsync("/sse/stream?channel=raw.header"u8.ToArray(), ("Last-Event-ID", value));

        Assert.That(status, Is.EqualTo(expected), head);
        if (status == 200)
        {
            Assert.That(head, Does.Contain("Content-Type: text/event-stream"));
        }
    }

    // ---- Echoed input ----

    [Test]
    public async Task ProblemBody_EchoesTheNameEscaped_AsJson_AndTheLogLineHoldsNoLineBreak()
    {
        // A right-to-left override, a quote, markup and a line feed that would start a forged log line.
        using var response = await Http.GetAsync("/sse/stream?channel=" + Uri.EscapeDataString("\u202Eevil\"<b>\n[ERR] forged"));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(bytes, Has.None.LessThan((byte)0x20), "the JSON body holds no raw control byte");
        using var problem = JsonDocument.Parse(bytes);
        Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.StartWith("Invalid channel '\\u202Eevil\"<b>\\u000A[ERR] forged': "));
        var logged = await Eventually.AcceptedAsync(
            () => Task.FromResult(Logs.GetSnapshot().Where(r => r.Id.Name == "SseStreamBadRequest" && r.Message.Contains("evil", StringComparison.Ordinal)).ToList()),
            l => l.Count > 0,
            "the refusal was logged");
        Assert.That(logged, Has.Count.EqualTo(1));
        Assert.That(HoldsLineBreakOrControl(logged[0].Message), Is.False, logged[0].Message);
    }

    // ---- Data with line breaks ----

    internal static IEnumerable<TestCaseData> LineBreakData()
    {
        yield return new TestCaseData("a\rb", "data:a\ndata:b\n").SetArgDisplayNames("LoneCr");
        yield return new TestCaseData("a\r\nb", "data:a\ndata:b\n").SetArgDisplayNames("CrLf");
        yield return new TestCaseData("a\nb", "data:a\ndata:b\n").SetArgDisplayNames("Lf");
        yield return new TestCaseData("a\n\rb", "data:a\ndata:\ndata:b\n").SetArgDisplayNames("LfCr");
        yield return new TestCaseData("\r", "data:\ndata:\n").SetArgDisplayNames("OnlyCr");
        yield return new TestCaseData("a\r\r\n\n", "data:a\ndata:\ndata:\ndata:\n").SetArgDisplayNames("TrailingBreaks");
        yield return new TestCaseData("a\u2028b\u2029c", "data:a\u2028b\u2029c\n").SetArgDisplayNames("LineAndParagraphSeparators");
        yield return new TestCaseData("a\u0085b", "data:a\u0085b\n").SetArgDisplayNames("NextLine");
        yield return new TestCaseData("a\0b", "data:a\0b\n").SetArgDisplayNames("Nul");
        yield return new TestCaseData("x\revent:forged\rid:1\rretry:1\r\rdata:second", "data:x\ndata:event:forged\ndata:id:1\ndata:retry:1\ndata:\ndata:data:second\n").SetArgDisplayNames("FieldsAfterLoneCr");
        yield return new TestCaseData("x\n\nevent:forged\n\n", "data:x\ndata:\ndata:event:forged\ndata:\ndata:\n").SetArgDisplayNames("BlankLineThenField");
        yield return new TestCaseData(":comment\r\nid\r\nevent", "data::comment\ndata:id\ndata:event\n").SetArgDisplayNames("BareFieldNames");
    }

    [TestCaseSource(nameof(LineBreakData))]
    public async Task PublishedDataWithLineBreaks_IsSplitIntoDataLines_ThatABrowserJoinsBack(string data, string expectedLines)
    {
        await using var stream = await OpenPastPreambleAsync(Http, "/sse/stream?channel=lines.published");

        await Publisher.PublishAsync(data, type: "note", channel: "lines.published");

        var block = await stream.ReadBlockAsync();
        Assert.That(block, Is.EqualTo("event:note\n" + expectedLines + "\n"));
        AssertABrowserSeesOneEvent(block, "note", data);
    }

    /// <summary>
    /// Parses <paramref name="block"/> with .NET's spec-following SSE parser (the EventSource algorithm:
    /// CR, LF and CRLF end lines; data lines are joined with LF) and checks it is the one event sent.
    /// </summary>
    internal static void AssertABrowserSeesOneEvent(string block, string type, string data)
    {
        var parser = SseParser.Create(new MemoryStream(Encoding.UTF8.GetBytes(block)));
        var events = parser.Enumerate().ToList();
        var joined = data.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

        Assert.That(events, Has.Count.EqualTo(1), "one event, none forged");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(events[0].EventType, Is.EqualTo(type));
            Assert.That(events[0].Data, Is.EqualTo(joined), "the data as a browser rebuilds it (every line break becomes LF)");
            Assert.That(parser.LastEventId, Is.Empty, "no id forged");
            Assert.That(parser.ReconnectionInterval, Is.EqualTo(Timeout.InfiniteTimeSpan), "no retry forged");
        }
    }
}
