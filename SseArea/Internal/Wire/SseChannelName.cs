using SseArea.Internal.Diagnostics;

namespace SseArea.Internal.Wire;

/// <summary>What a valid channel name is: the one rule the stream endpoint, the publisher, the stats and the options share.</summary>
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

        if (name.StartsWith("__", StringComparison.Ordinal))
        {
            return "Channel names starting with '__' are reserved for Redis and its clients (__keyspace@0__:..., StackExchange.Redis's __Booksleeve_MasterChanged).";
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

    /// <summary>Why <paramref name="name"/> is refused, worded for an error answer; <see langword="null"/> when valid.</summary>
    public static string? Refusal(string name, int maxLength)
        => Check(name, maxLength) is { } reason ? $"Invalid channel '{Display(name)}': {reason}" : null;

    public static void ThrowIfInvalid(string name, int maxLength, string parameterName)
    {
        if (Refusal(name, maxLength) is { } refusal)
        {
            throw new ArgumentException(refusal, parameterName);
        }
    }

    /// <summary>A channel name made safe and short (64 characters) for an error message or a log line.</summary>
    public static string Display(string name) => LogText.Printable(name, 64);
}
