namespace SseArea.Internal.Wire;

/// <summary>
/// The id a stream that follows several channels writes: one event id per channel, in the request's
/// order, each percent-escaped so that <c>,</c> separates them. A reconnect sends it back whole.
/// </summary>
internal static class SseCursor
{
    /// <summary>
    /// The position of a channel that had no event yet ("replay from the start"). Neither broker assigns it
    /// (Redis entry ids start at <c>0-1</c>, the in-memory sequence at <c>1</c>).
    /// </summary>
    public const string Start = "0-0";

    /// <summary>Each channel's id escaped and joined; a channel with no id yet is empty.</summary>
    public static string Encode(IReadOnlyList<string?> ids)
        => string.Join(',', ids.Select(id => string.IsNullOrEmpty(id) ? string.Empty : Uri.EscapeDataString(id)));

    /// <summary>
    /// Splits <paramref name="lastEventId"/> into one id per channel (<see langword="null"/>: none seen);
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
            ids[i] = parts[i].Length == 0 || parts[i] == Start ? null : Uri.UnescapeDataString(parts[i]);
        }

        return ids;
    }
}
