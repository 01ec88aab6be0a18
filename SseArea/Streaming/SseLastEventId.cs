using Microsoft.AspNetCore.Http;

namespace SseArea.Streaming;

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

    /// <summary>The longest id accepted, in UTF-16 characters (a composite id of 16 channels fits).</summary>
    public const int MaxLength = 4096;

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

        if (value.Length > MaxLength)
        {
            error = $"The {source} is {value.Length} characters long; at most {MaxLength} are accepted.";
            return null;
        }

        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                error = $"The {source} holds a control character (U+{(int)c:X4}); event ids never do.";
                return null;
            }
        }

        return value;
    }
}
