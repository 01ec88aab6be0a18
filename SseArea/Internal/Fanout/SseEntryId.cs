using System.Globalization;

namespace SseArea.Internal.Fanout;

/// <summary>A Redis Streams entry id <c>&lt;ms&gt;-&lt;seq&gt;</c>: growing with each event of a channel, so in publication order.</summary>
internal readonly record struct SseEntryId(ulong Milliseconds, ulong Sequence) : IComparable<SseEntryId>
{
    /// <summary>Reads <paramref name="text"/> when it has the shape exactly (digits only on both sides, each fitting 64 bits).</summary>
    public static bool TryParse(string? text, out SseEntryId id)
    {
        id = default;
        var dash = text is null ? -1 : text.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || !IsDigits(text.AsSpan(0, dash)) || !IsDigits(text.AsSpan(dash + 1))
            || !ulong.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || !ulong.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
        {
            return false;
        }

        id = new SseEntryId(milliseconds, sequence);
        return true;

        static bool IsDigits(ReadOnlySpan<char> part) => part.Length > 0 && !part.ContainsAnyExceptInRange('0', '9');
    }

    public int CompareTo(SseEntryId other)
        => Milliseconds != other.Milliseconds ? Milliseconds.CompareTo(other.Milliseconds) : Sequence.CompareTo(other.Sequence);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Milliseconds}-{Sequence}");
}
