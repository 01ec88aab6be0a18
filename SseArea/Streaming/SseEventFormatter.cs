using System.Text;

namespace SseArea.Streaming;

/// <summary>
/// Turns a message into the UTF-8 bytes of its event text. Called once per event, whatever the
/// number of listeners: the one array it allocates is the frame every connection writes.
/// </summary>
internal static class SseEventFormatter
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    private static ReadOnlySpan<byte> EventField => "event:"u8;
    private static ReadOnlySpan<byte> DataField => "data:"u8;
    private static ReadOnlySpan<byte> IdField => "id:"u8;
    private static ReadOnlySpan<byte> RetryField => "retry:"u8;

    public static byte[] Format(SseMessage message)
    {
        var frame = new byte[MeasureBytes(message)];
        var written = Write(message, frame, out _, out _);
        System.Diagnostics.Debug.Assert(written == frame.Length, "Measured and written lengths differ.");
        return frame;
    }

    /// <summary>
    /// Formats <paramref name="message"/> as the frame of <paramref name="channel"/>, remembering where its
    /// <c>id:</c> line is, so that a connection following several channels can write its own id instead.
    /// </summary>
    public static SseFrame FormatFrame(SseMessage message, string channel)
    {
        var bytes = new byte[MeasureBytes(message)];
        Write(message, bytes, out var idStart, out var idEnd);
        return new SseFrame(bytes, channel, string.IsNullOrEmpty(message.Id) ? null : message.Id, idStart, idEnd);
    }

    /// <summary>A comment line (<c>:text</c>) followed by the blank line; <paramref name="text"/> must hold no line break.</summary>
    public static byte[] Comment(string text)
    {
        var frame = new byte[1 + Utf8.GetByteCount(text) + 2];
        frame[0] = (byte)':';
        var n = 1 + Utf8.GetBytes(text, frame.AsSpan(1));
        frame[n] = (byte)'\n';
        frame[n + 1] = (byte)'\n';
        return frame;
    }

    private static int MeasureBytes(SseMessage message)
    {
        var length = 1; // the blank line that ends the event
        if (!string.IsNullOrEmpty(message.Type))
        {
            length += EventField.Length + Utf8.GetByteCount(message.Type) + 1;
        }

        var data = message.Data.AsSpan();
        while (true)
        {
            var end = NextLineEnd(data, out var next);
            length += DataField.Length + Utf8.GetByteCount(data[..end]) + 1;
            if (next < 0)
            {
                break;
            }

            data = data[next..];
        }

        if (!string.IsNullOrEmpty(message.Id))
        {
            length += IdField.Length + Utf8.GetByteCount(message.Id) + 1;
        }

        if (message.Retry is { } retry)
        {
            length += RetryField.Length + CountDigits(retry) + 1;
        }

        return length;
    }

    private static int Write(SseMessage message, Span<byte> frame, out int idStart, out int idEnd)
    {
        var at = 0;
        if (!string.IsNullOrEmpty(message.Type))
        {
            at += Field(EventField, message.Type, frame[at..]);
        }

        var data = message.Data.AsSpan();
        while (true)
        {
            var end = NextLineEnd(data, out var next);
            at += Field(DataField, data[..end], frame[at..]);
            if (next < 0)
            {
                break;
            }

            data = data[next..];
        }

        idStart = at;
        if (!string.IsNullOrEmpty(message.Id))
        {
            at += Field(IdField, message.Id, frame[at..]);
        }

        idEnd = at;
        if (message.Retry is { } retry)
        {
            RetryField.CopyTo(frame[at..]);
            at += RetryField.Length;
            retry.TryFormat(frame[at..], out var digits, provider: System.Globalization.CultureInfo.InvariantCulture);
            at += digits;
            frame[at++] = (byte)'\n';
        }

        frame[at++] = (byte)'\n';
        return at;
    }

    private static int Field(ReadOnlySpan<byte> name, ReadOnlySpan<char> value, Span<byte> destination)
    {
        name.CopyTo(destination);
        var at = name.Length + Utf8.GetBytes(value, destination[name.Length..]);
        destination[at] = (byte)'\n';
        return at + 1;
    }

    /// <summary>
    /// Finds where the current line ends. CR, LF and CRLF each end a line, as in the SSE
    /// parser of every browser; <paramref name="next"/> is where the next line starts, or -1.
    /// </summary>
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

    private static int CountDigits(int value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }
}
