using System.Text;
using SseArea.LoadTool;

namespace SseArea.Tests.Unit.LoadTool;

/// <summary>The load tool's HTTP/1.1 + SSE reader: it must count exactly what a browser would see.</summary>
public sealed class SseResponseDecoderTests
{
    private const string ChunkedHead = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n";

    [Test]
    public void Feed_ChunkedStream_ReportsStatusDataAndEvents()
    {
        var sink = new RecordingSink();

        Feed(sink, ChunkedHead + Chunk(":\n\n") + Chunk("event:bench\ndata:{\"ts\": 5}\n\n") + Chunk("data:two\n\n"));

        Assert.Multiple(() =>
        {
            Assert.That(sink.Status, Is.EqualTo(200));
            Assert.That(sink.Events, Is.EqualTo(new[] { "{\"ts\": 5}", "two" }));
        });
    }

    [Test]
    public void Feed_StreamSplitAtEveryByte_GivesTheSameEventsAsInOnePiece()
    {
        // Chunk boundaries fall inside SSE lines and inside CRLF pairs.
        var response = ChunkedHead + Chunk(":\n\nevent:bench\ndata:fi") + Chunk("rst\r") + Chunk("\n\r\ndata:second\r\ndata:line\r\r") + Chunk("data:third\n\n");
        var whole = new RecordingSink();
        var bytewise = new RecordingSink();

        Feed(whole, response);
        var decoder = new SseResponseDecoder(bytewise);
        foreach (var b in Encoding.UTF8.GetBytes(response))
        {
            decoder.Feed([b]);
        }

        Assert.Multiple(() =>
        {
            Assert.That(whole.Events, Is.EqualTo(new[] { "first", "second\nline", "third" }));
            Assert.That(bytewise.Events, Is.EqualTo(whole.Events));
        });
    }

    [Test]
    public void Feed_ChunkEndingInsideAnSseLine_KeepsTheLineWhole()
    {
        var sink = new RecordingSink();

        Feed(sink, ChunkedHead + Chunk("data:{\"seq\": 1, \"t") + Chunk("s\": 42}\n\n"));

        Assert.That(sink.Events, Is.EqualTo(new[] { "{\"seq\": 1, \"ts\": 42}" }));
    }

    [Test]
    public void Feed_CommentsAndEventsWithoutData_AreNotEvents()
    {
        var sink = new RecordingSink();

        Feed(sink, ChunkedHead + Chunk(":heartbeat\n\nevent:only-a-type\nid:3\n\n"));

        Assert.That(sink.Events, Is.Empty);
    }

    [Test]
    public void Feed_OneSpaceAfterTheColon_IsNotPartOfTheValue()
    {
        var sink = new RecordingSink();

        Feed(sink, ChunkedHead + Chunk("data:  two spaces\n\n"));

        Assert.That(sink.Events, Is.EqualTo(new[] { " two spaces" }));
    }

    [Test]
    public void Feed_BodyWithoutChunking_IsReadToo()
    {
        var sink = new RecordingSink();

        Feed(sink, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n\r\ndata:plain\n\n");

        Assert.That(sink.Events, Is.EqualTo(new[] { "plain" }));
    }

    [Test]
    public void Feed_StatusOtherThan200_IsReportedAndEndsTheStream()
    {
        var sink = new RecordingSink();
        var decoder = new SseResponseDecoder(sink);

        decoder.Feed(Encoding.UTF8.GetBytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\ndata:no\n\n"));

        Assert.Multiple(() =>
        {
            Assert.That(sink.Status, Is.EqualTo(403));
            Assert.That(decoder.IsDone, Is.True);
            Assert.That(sink.Events, Is.Empty);
        });
    }

    [Test]
    public void Feed_LastChunk_EndsTheStream()
    {
        var sink = new RecordingSink();
        var decoder = new SseResponseDecoder(sink);

        decoder.Feed(Encoding.UTF8.GetBytes(ChunkedHead + Chunk("data:x\n\n") + "0\r\n\r\n"));

        Assert.Multiple(() =>
        {
            Assert.That(decoder.IsDone, Is.True);
            Assert.That(sink.Events, Is.EqualTo(new[] { "x" }));
        });
    }

    [Test]
    public void Feed_NotAnHttpResponse_Throws()
    {
        var decoder = new SseResponseDecoder(new RecordingSink());

        Assert.That(() => decoder.Feed("SSH-2.0-OpenSSH\r\n\r\n"u8), Throws.TypeOf<InvalidDataException>());
    }

    [Test]
    public void Feed_BadChunkSize_Throws()
    {
        var decoder = new SseResponseDecoder(new RecordingSink());

        Assert.That(() => decoder.Feed(Encoding.UTF8.GetBytes(ChunkedHead + "zz\r\n")), Throws.TypeOf<InvalidDataException>());
    }

    private static string Chunk(string text) => $"{Encoding.UTF8.GetByteCount(text):x}\r\n{text}\r\n";

    private static void Feed(RecordingSink sink, string response) => new SseResponseDecoder(sink).Feed(Encoding.UTF8.GetBytes(response));

    /// <summary>Joins each event's data lines with LF, as a browser's <c>e.data</c>.</summary>
    private sealed class RecordingSink : ISseEventSink
    {
        private readonly List<string> _data = [];

        public int Status { get; private set; }

        public List<string> Events { get; } = [];

        public void OnStatus(int statusCode) => Status = statusCode;

        public void OnData(ReadOnlySpan<byte> value) => _data.Add(Encoding.UTF8.GetString(value));

        public void OnEvent()
        {
            Events.Add(string.Join('\n', _data));
            _data.Clear();
        }
    }
}
