using System.Globalization;
using System.Text;

namespace SseArea.Internal.Diagnostics;

/// <summary>Makes text that came from outside (a channel name, a user name, a Redis payload) safe to echo.</summary>
internal static class LogText
{
    /// <summary>
    /// <paramref name="text"/> with control and format characters (bidi overrides, zero-width), line separators and
    /// unpaired surrogates written as <c>\uXXXX</c> and a backslash as <c>\\</c>, so it can neither forge a log line
    /// nor pass for another value; cut after <paramref name="shown"/> characters (not inside a pair) with an ellipsis.
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
