namespace SseArea.Internal.Wire;

/// <summary>
/// A multi-channel stream's id: each channel's event id, in request order, escaped and joined by <c>,</c>. A channel
/// with no event yet is empty; a part <c>*</c> (<see cref="Live"/>) asks for that channel's live events only, as a stream
/// with no Last-Event-ID gets (the element sends it for a channel it adds to a shared connection). An escaped id is never <c>*</c>.
/// </summary>
internal static class SseCursor
{
    /// <summary>A channel with no event yet ("replay from the start"); no broker assigns it (ids start at <c>0-1</c> or <c>1</c>).</summary>
    public const string Start = "0-0";

    /// <summary>A decoded part asking for live events only (no replay, nothing missed).</summary>
    public const string Live = "*";

    /// <summary>Each channel's id escaped and joined; a channel with no id yet is empty.</summary>
    public static string Encode(IReadOnlyList<string?> ids)
        => string.Join(',', ids.Select(id => string.IsNullOrEmpty(id) ? string.Empty : Uri.EscapeDataString(id)));

    /// <summary>
    /// Splits <paramref name="lastEventId"/> into one id per channel (<see langword="null"/>: none seen, <see cref="Live"/>: live only);
    /// a single-channel stream's id is the event id itself. <see langword="null"/> when it does not fit.
    /// </summary>
    public static string?[]? Decode(string lastEventId, int channelCount)
    {
        if (channelCount == 1)
        {
            return [lastEventId == Start ? null : lastEventId];
        }

        var parts = lastEventId.Split(',');
        if (parts.Length != channelCount)
        {
            return null;
        }

        var ids = new string?[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            // A malformed escape stays as it is: such an id matches no event and is reported as missed.
            ids[i] = parts[i] == Live ? Live : parts[i].Length == 0 || parts[i] == Start ? null : Uri.UnescapeDataString(parts[i]);
        }

        return ids;
    }
}
