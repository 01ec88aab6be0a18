using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace SseArea.Internal.Wire;

/// <summary>
/// Every byte of SSE text SseArea sends is made here: events (formatted once per event, whatever the
/// number of listeners), the preamble, heartbeats, the <c>sse-position</c> and <c>sse-channel</c> events, the
/// <c>sse-missed</c> notice, and an event rewritten around a stream's own id.
/// </summary>
internal static class SseWriter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// The heartbeat comment: like every comment, a line with no blank line after it (fetch-event-source fires an empty
    /// message for each block a blank line ends). Queued by reference: a pump tells it from an event without looking at bytes.
    /// </summary>
    public static readonly SseFrame Heartbeat = new(":heartbeat\n"u8.ToArray());

    private static ReadOnlySpan<byte> EventField => "event:"u8;
    private static ReadOnlySpan<byte> DataField => "data:"u8;
    private static ReadOnlySpan<byte> IdField => "id:"u8;
    private static ReadOnlySpan<byte> RetryField => "retry:"u8;

    /// <summary>
    /// A stream's first bytes: an empty comment, so every proxy passes the open stream on at once, and <c>retry:</c> if
    /// set (a field clients apply as they read it; the blank line of the first event ends its block).
    /// </summary>
    public static byte[] Preamble(TimeSpan? retry) => Utf8.GetBytes(retry is { } value
        ? $":\nretry:{((long)value.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)}\n"
        : ":\n");

    /// <summary>The exact event text of <paramref name="message"/>, ending with its blank line.</summary>
    public static byte[] Format(SseMessage message) => Format(message, out _, out _);

    /// <summary>The frame all listeners of a channel share, with where its <c>id:</c> line is (for streams writing their own).</summary>
    public static SseFrame Event(SseMessage message, string channel)
        => new(Format(message, out var idStart, out var idEnd), channel, string.IsNullOrEmpty(message.Id) ? null : message.Id, idStart, idEnd);

    /// <summary>
    /// The <c>sse-position</c> event: gives the client its last event id before any event. It carries data (JSON, like
    /// <c>sse-missed</c>) because Firefox and npm <c>eventsource</c> keep no id from a block without a <c>data:</c> line;
    /// its type keeps it away from <c>onmessage</c>.
    /// </summary>
    public static byte[] Position(string position)
        => Utf8.GetBytes($"event:sse-position\ndata:{JsonSerializer.Serialize(new { lastEventId = position })}\nid:{position}\n\n");

    /// <summary>The <c>sse-channel</c> event naming the channel of the event after it (streams of several channels: <see cref="SseChannelLabels"/>).</summary>
    public static byte[] ChannelLabel(string channel) => Utf8.GetBytes($"event:sse-channel\ndata:{channel}\n\n");

    /// <summary>The <c>sse-missed</c> event: events of <paramref name="channels"/> can not be sent (an <c>id:</c> line if positioned).</summary>
    public static byte[] MissedNotice(IReadOnlyList<string> channels, string? position = null)
        => Utf8.GetBytes($"event:sse-missed\ndata:{JsonSerializer.Serialize(new { channels })}\n{(position is null ? null : $"id:{position}\n")}\n");

    /// <summary>
    /// Writes <paramref name="frame"/> with <paramref name="id"/> in place of its own <c>id:</c> line: the shared
    /// bytes around their id line, never copied or changed, then <c>id:</c> and the blank line (a <c>retry:</c>
    /// field then comes before the id).
    /// </summary>
    public static void WriteWithId(IBufferWriter<byte> output, SseFrame frame, string id)
    {
        var bytes = frame.Bytes.Span;
        output.Write(bytes[..frame.IdStart]);
        output.Write(bytes[frame.IdEnd..^1]);
        output.Write(IdField);
        var length = Utf8.GetByteCount(id);
        var span = output.GetSpan(length + 2);
        Utf8.GetBytes(id, span);
        span[length] = (byte)'\n';
        span[length + 1] = (byte)'\n';
        output.Advance(length + 2);
    }

    private static byte[] Format(SseMessage message, out int idStart, out int idEnd)
    {
        var bytes = new byte[Write(message, [], out _, out _)];
        Write(message, bytes, out idStart, out idEnd);
        return bytes;
    }

    /// <summary>Writes the event's fields to <paramref name="frame"/> or, when it is empty, only counts them; returns the length.</summary>
    private static int Write(SseMessage message, Span<byte> frame, out int idStart, out int idEnd)
    {
        var at = 0;
        if (!string.IsNullOrEmpty(message.Type))
        {
            at += Field(EventField, message.Type, frame, at);
        }

        var data = message.Data.AsSpan();
        while (true)
        {
            var end = NextLineEnd(data, out var next);
            at += Field(DataField, data[..end], frame, at);
            if (next < 0)
            {
                break;
            }

            data = data[next..];
        }

        idStart = at;
        if (!string.IsNullOrEmpty(message.Id))
        {
            at += Field(IdField, message.Id, frame, at);
        }

        idEnd = at;
        if (message.Retry is { } retry)
        {
            Span<char> digits = stackalloc char[11];
            retry.TryFormat(digits, out var length, provider: CultureInfo.InvariantCulture);
            at += Field(RetryField, digits[..length], frame, at);
        }

        if (!frame.IsEmpty)
        {
            frame[at] = (byte)'\n';
        }

        return at + 1; // the blank line that ends the event
    }

    private static int Field(ReadOnlySpan<byte> name, ReadOnlySpan<char> value, Span<byte> frame, int at)
    {
        if (frame.IsEmpty)
        {
            return name.Length + Utf8.GetByteCount(value) + 1;
        }

        var destination = frame[at..];
        name.CopyTo(destination);
        var length = name.Length + Utf8.GetBytes(value, destination[name.Length..]);
        destination[length] = (byte)'\n';
        return length + 1;
    }

    /// <summary>Where the line ends (CR, LF or CRLF, as browsers read SSE); <paramref name="next"/>: where the next starts, or -1.</summary>
    private static int NextLineEnd(ReadOnlySpan<char> text, out int next)
    {
        var end = text.IndexOfAny('\r', '\n');
        if (end < 0)
        {
            next = -1;
            return text.Length;
        }

        next = text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? end + 2 : end + 1;
        return end;
    }
}
