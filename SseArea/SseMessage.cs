using System.Text;
using SseArea.Internal.Wire;

namespace SseArea;

/// <summary>One server-sent event: the .NET counterpart of Flask-SSE's <c>Message</c>.</summary>
// The init accessors name the constructor's (and ISsePublisher's) parameters in their exceptions:
// that is the argument a caller passed, whichever way the value came in.
#pragma warning disable CA2208
public sealed record SseMessage
{
    private readonly string _data = string.Empty;
    private readonly string? _type;
    private readonly string? _id;
    private readonly int? _retry;

    /// <summary>Creates an event whose data is the given text.</summary>
    /// <param name="data">The event's data, sent as it is (line breaks become several <c>data:</c> lines).</param>
    /// <param name="type">The event type (<c>event:</c> field); <see langword="null"/> for the browser's default <c>message</c>.</param>
    /// <param name="id">The event id (<c>id:</c> field); see <see cref="Id"/> for what it may hold.</param>
    /// <param name="retry">The reconnection time in milliseconds the browser should use (<c>retry:</c> field).</param>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="type"/> or <paramref name="id"/> would forge another field.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="retry"/> is negative.</exception>
    public SseMessage(string data, string? type = null, string? id = null, int? retry = null)
    {
        Data = data;
        Type = type;
        Id = id;
        Retry = retry;
    }

    private SseMessage(string data, string? type, int? retry, string? payloadId)
        : this(data, type, id: null, retry)
    {
        _id = payloadId;
    }

    /// <summary>The event's data as the text that follows <c>data:</c> (JSON text when it was published as an object).</summary>
    public string Data
    {
        get => _data;
        init => _data = value ?? throw new ArgumentNullException("data", "An event needs data (an empty string is allowed).");
    }

    /// <summary>
    /// Whether <see cref="Data"/> is a JSON value (serialized, or read from a payload) rather than text: the event text is
    /// the same, but the Redis payload carries the value itself instead of a JSON string, as Flask-SSE's does.
    /// </summary>
    internal bool IsJson { get; private init; }

    /// <summary>The event type, sent as <c>event:</c>; <see langword="null"/> or empty sends none.</summary>
    /// <exception cref="ArgumentException">The value holds CR or LF.</exception>
    public string? Type
    {
        get => _type;
        init
        {
            if (value is not null && value.AsSpan().IndexOfAny('\r', '\n') >= 0)
            {
                throw new ArgumentException("An event type must not contain CR or LF: it would forge another field of the event.", "type");
            }

            _type = value;
        }
    }

    /// <summary>The longest <see cref="Id"/> accepted, in UTF-16 code units.</summary>
    public const int MaxIdLength = 1024;

    /// <summary>
    /// The event id, sent as <c>id:</c>; <see langword="null"/> or empty sends none. Browsers send it back in
    /// <c>Last-Event-ID</c> when they reconnect, so it must be valid UTF-16 without control characters.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The value holds a control character (browsers ignore ids with NUL), an unpaired surrogate, or is longer than <see cref="MaxIdLength"/>.
    /// </exception>
    public string? Id
    {
        get => _id;
        init
        {
            if (value is not null && CheckId(value) is { } reason)
            {
                throw new ArgumentException(reason, "id");
            }

            _id = value;
        }
    }

    /// <summary>The reconnection time in milliseconds, sent as <c>retry:</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public int? Retry
    {
        get => _retry;
        init
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException("retry", value, "The retry interval is a number of milliseconds and can not be negative.");
            }

            _retry = value;
        }
    }

    /// <summary>An event read from a Flask-SSE payload of any publisher: its id is only refused for CR, LF or NUL.</summary>
    internal static SseMessage FromPayload(string data, bool isJson, string? type, string? id, int? retry)
        => new(data, type, retry, payloadId: id is null || !ForgesField(id) ? id : throw new ArgumentException(ForgedId, nameof(id))) { IsJson = isJson };

    private const string ForgedId = "An event id must not contain CR, LF or NUL.";

    private static bool ForgesField(string id) => id.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0;

    /// <summary>Why <paramref name="id"/> can not be an event id, or <see langword="null"/>.</summary>
    private static string? CheckId(string id)
    {
        if (ForgesField(id))
        {
            return ForgedId;
        }

        if (id.Length > MaxIdLength)
        {
            return $"An event id is at most {MaxIdLength} characters long (this one has {id.Length}).";
        }

        for (var i = 0; i < id.Length; i++)
        {
            var c = id[i];
            if (char.IsControl(c))
            {
                return $"An event id must not contain control characters (U+{(int)c:X4} at position {i}): browsers send it back in Last-Event-ID.";
            }

            if (char.IsHighSurrogate(c) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return $"An event id must be valid UTF-16 (an unpaired surrogate at position {i}).";
            }
        }

        return null;
    }

    /// <summary>An event whose data is JSON text the publisher's serializer wrote.</summary>
    internal static SseMessage Json(string json, string? type, string? id, int? retry)
        => new(json, type, id, retry) { IsJson = true };

    /// <summary>
    /// The exact event text written to a stream, in Flask-SSE's form: <c>event:</c> (when <see cref="Type"/> is set), one
    /// <c>data:</c> line per line of <see cref="Data"/> (CR, LF and CRLF each end a line), <c>id:</c> and <c>retry:</c>
    /// when set, then a blank line.
    /// </summary>
    public override string ToString() => Encoding.UTF8.GetString(SseWriter.Format(this));
}
#pragma warning restore CA2208
