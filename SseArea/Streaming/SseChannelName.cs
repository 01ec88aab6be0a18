using System.Globalization;
using System.Text;

namespace SseArea.Streaming;

/// <summary>The rule for channel names, shared by the stream endpoint and the publisher.</summary>
internal static class SseChannelName
{
    /// <summary>Returns why <paramref name="name"/> is not a valid channel name, or <see langword="null"/> when it is.</summary>
    public static string? Check(string name, int maxLength)
    {
        if (name.Length == 0)
        {
            return "A channel name must not be empty.";
        }

        if (name.Length > maxLength)
        {
            return $"The channel name is {name.Length} characters long; the limit is {maxLength}.";
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsControl(c))
            {
                return $"The channel name holds a control character (U+{(int)c:X4}) at position {i}.";
            }

            if (c is '\u2028' or '\u2029')
            {
                // Line breaks to Unicode, JavaScript and some log viewers: no name needs one.
                return $"The channel name holds a line or paragraph separator (U+{(int)c:X4}) at position {i}.";
            }

            if (char.IsHighSurrogate(c) && i + 1 < name.Length && char.IsLowSurrogate(name[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"The channel name holds an unpaired surrogate (U+{(int)c:X4}) at position {i}.";
            }
        }

        return null;
    }

    /// <summary>
    /// A channel name made safe and short for an error message or a log line: see <see cref="Printable"/>;
    /// at most 64 characters of the name are shown.
    /// </summary>
    public static string Display(string name) => Printable(name, 64);

    /// <summary>
    /// <paramref name="text"/> made safe to echo in a log line or an error message: control characters
    /// (CR and LF included), format characters (bidirectional overrides, zero-width characters), line and
    /// paragraph separators and unpaired surrogates are written as <c>\uXXXX</c>, and a backslash as
    /// <c>\\</c>, so an echoed value can neither start a forged log line nor pass for another value.
    /// Text longer than <paramref name="shown"/> characters is cut there (never inside a surrogate pair)
    /// and ends with an ellipsis.
    /// </summary>
    public static string Printable(string text, int shown)
    {
        var length = Math.Min(text.Length, shown);
        if (length < text.Length && length > 0 && char.IsHighSurrogate(text[length - 1]) && char.IsLowSurrogate(text[length]))
        {
            length--;
        }

        var printable = new StringBuilder(length + 8);
        for (var i = 0; i < length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < length && char.IsLowSurrogate(text[i + 1]))
            {
                printable.Append(c).Append(text[++i]);
            }
            else if (c == '\\')
            {
                printable.Append(@"\\");
            }
            else if (char.IsSurrogate(c) || IsInvisible(c))
            {
                printable.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                printable.Append(c);
            }
        }

        return length < text.Length ? printable.Append('\u2026').ToString() : printable.ToString();
    }

    private static bool IsInvisible(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
}
