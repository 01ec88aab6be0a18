using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;
using SseArea.Internal.Wire;

namespace SseArea.Internal.Http;

/// <summary>Reads a stream request from HTTP: its channels and <c>Last-Event-ID</c>. Its error text is what a 400 says.</summary>
internal static class SseRequestReader
{
    public const string ChannelParameter = "channel";
    public const string LastEventIdHeader = "Last-Event-ID";
    public const string LastEventIdParameter = "lastEventId";

    /// <summary>The <c>channel</c> query values as asked (unchecked, distinct, else the default): what a refusal before parsing names.</summary>
    public static IReadOnlyList<string> AskedChannels(HttpRequest request, string defaultChannel)
    {
        var asked = request.Query[ChannelParameter].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).Distinct(StringComparer.Ordinal).ToList();
        return asked.Count > 0 ? asked : [defaultChannel];
    }

    /// <summary>The asked channels, each checked and no more than allowed, and the Last-Event-ID.</summary>
    public static SseStreamRequest? Read(HttpRequest request, SseOptions options, out string? error)
    {
        error = CheckEncoding(request.QueryString.Value);
        if (error is not null)
        {
            return null;
        }

        // Each channel checked in order, the first beyond the limit refused for being there.
        var channels = AskedChannels(request, options.DefaultChannel);
        error = channels.Select((channel, i) => i == options.MaxChannelsPerConnection
                ? $"A stream may follow at most {options.MaxChannelsPerConnection} channels (Sse:MaxChannelsPerConnection); this request asks for more."
                : SseChannelName.Refusal(channel, options.MaxChannelNameLength))
            .FirstOrDefault(refusal => refusal is not null);
        var lastEventId = error is null ? ReadLastEventId(request, out error) : null;
        return error is null ? new SseStreamRequest(channels, lastEventId) : null;
    }

    /// <summary>
    /// The id of the last event a reconnecting client saw: the <c>Last-Event-ID</c> header browsers send, else the
    /// <c>lastEventId</c> query value; <see langword="null"/> when there is none or (with <paramref name="error"/>) it is invalid.
    /// </summary>
    public static string? ReadLastEventId(HttpRequest request, out string? error)
    {
        error = null;
        string? value = request.Headers[LastEventIdHeader];
        var source = "header " + LastEventIdHeader;
        if (string.IsNullOrEmpty(value))
        {
            value = request.Query[LastEventIdParameter];
            source = "query value " + LastEventIdParameter;
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

    /// <summary>
    /// Why a <c>channel</c> or <c>lastEventId</c> value of the raw query is not UTF-8 once percent-decoded (<c>%FF</c>,
    /// the overlong <c>%C0%AF</c>, ...), or <see langword="null"/>. ASP.NET Core leaves such a sequence undecoded, so
    /// <c>?channel=%FF</c> would follow the channel named <c>%FF</c>, the same as <c>?channel=%25FF</c>.
    /// </summary>
    public static string? CheckEncoding(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery))
        {
            return null;
        }

        var query = rawQuery.AsSpan(rawQuery[0] == '?' ? 1 : 0);
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            if (equals < 0)
            {
                continue;
            }

            // A name percent-encoded itself (ch%61nnel) is decoded before it is compared.
            var name = pair[..equals];
            if (!IsOurs(name) && (name.IndexOf('%') < 0 || !IsOurs(Encoding.UTF8.GetString(Decode(name)))))
            {
                continue;
            }

            var value = Decode(pair[(equals + 1)..]);
            if (!Utf8.IsValid(value))
            {
                var at = 0;
                while (Rune.DecodeFromUtf8(value.AsSpan(at), out _, out var used) == OperationStatus.Done)
                {
                    at += used;
                }

                return $"The query value '{SseChannelName.Display(pair.ToString())}' is not UTF-8 text once percent-decoded: byte {at} (0x{value[at]:X2}) does not start a valid UTF-8 sequence.";
            }
        }

        return null;

        static bool IsOurs(ReadOnlySpan<char> name)
            => name.Equals(ChannelParameter, StringComparison.OrdinalIgnoreCase)
                || name.Equals(LastEventIdParameter, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The bytes of a percent-encoded query component (<c>+</c> is a space, a malformed escape stays as it is).</summary>
    private static byte[] Decode(ReadOnlySpan<char> text)
    {
        var encoded = Encoding.UTF8.GetBytes(text.ToString());
        return WebUtility.UrlDecodeToBytes(encoded, 0, encoded.Length) ?? [];
    }
}
