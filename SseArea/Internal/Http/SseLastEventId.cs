using Microsoft.AspNetCore.Http;

namespace SseArea.Internal.Http;

/// <summary>
/// Reads the id of the last event a reconnecting client saw: the <c>Last-Event-ID</c> header that
/// browsers send, else the <c>lastEventId</c> query value for clients that can not set headers.
/// </summary>
internal static class SseLastEventId
{
    /// <summary>The header browsers send when an <c>EventSource</c> reconnects.</summary>
    public const string HeaderName = "Last-Event-ID";

    /// <summary>The query value used when the header is absent.</summary>
    public const string QueryName = "lastEventId";

    /// <summary>
    /// The id, or <see langword="null"/> when the request carries none (or an empty one). On an
    /// invalid value returns <see langword="null"/> and sets <paramref name="error"/> to the reason.
    /// </summary>
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

        // Anything an event id may hold is accepted (an id the broker does not know is answered with
        // sse-missed, never an error an EventSource would not reconnect after), whatever its length:
        // the server's own limits on headers and URLs bound it. CR, LF and NUL are in no event id.
        var bad = value.AsSpan().IndexOfAny('\r', '\n', '\0');
        if (bad >= 0)
        {
            error = $"The {source} holds a control character (U+{(int)value[bad]:X4}) that no event id holds (CR, LF or NUL).";
            return null;
        }

        return value;
    }
}
