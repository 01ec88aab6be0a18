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

    /// <summary>A channel name made safe and short for an error message or a log line.</summary>
    public static string Display(string name)
    {
        const int Shown = 64;
        var shown = name.Length > Shown ? string.Concat(name.AsSpan(0, Shown), "…") : name;
        return string.Create(shown.Length, shown, static (span, s) =>
        {
            for (var i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}
