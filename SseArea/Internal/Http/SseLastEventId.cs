using Microsoft.AspNetCore.Http;

namespace SseArea.Internal.Http;

/// <summary>
/// Reads the id of the last event a reconnecting client saw: the <c>Last-Event-ID</c> header that
/// browsers send, else the <c>lastEventId</c> query value for clients that can not set headers.
/// </summary>
internal static class SseLastEventId
{
    public const string HeaderName = "Last-Event-ID";

    public const string QueryName = "lastEventId";

    /// <summary>The id, or <see langword="null"/> when there is none or (with <paramref name="error"/>) it is invalid.</summary>
    public static string? Read(HttpRequest request, out string? error)
    {
        error = null;
        string? value = request.Headers[HeaderName];
        var source = "header " + HeaderName;
        if (string.IsNullOrEmpty(value))
        {
            value = request.Query[QueryName];
            source = "query value " + QueryName;
        }

        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        // Any id is accepted, of any length (the server's limits bound it): one the broker does not know gets
        // sse-missed, never an error an EventSource would not reconnect after. CR, LF and NUL are in no event id.
        var bad = value.AsSpan().IndexOfAny('\r', '\n', '\0');
        if (bad >= 0)
        {
            error = $"The {source} holds a control character (U+{(int)value[bad]:X4}) that no event id holds (CR, LF or NUL).";
            return null;
        }

        return value;
    }
}
