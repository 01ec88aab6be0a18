using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using SseArea.Internal.Diagnostics;

namespace SseArea.Internal.Redis;

/// <summary>
/// What SseArea sends through Redis: Flask-SSE's payload, a JSON object with <c>data</c> (any JSON value)
/// and, when set, <c>type</c> (string), <c>id</c> (string or number) and <c>retry</c> (integer milliseconds),
/// so a Python Flask-SSE app on the same Redis reads SseArea's events and the other way round. The one
/// place that reads and writes it.
/// </summary>
internal static class RedisProtocol
{
    private const string IdPlaceholder = "SseArea.Id.Placeholder.9c41e7";

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    /// <summary>The placeholder id as the JSON writer escapes it.</summary>
    private static readonly string PlaceholderJson = EscapedPlaceholder();

    /// <summary>
    /// The payload of an event whose id Redis will assign (the history's entry id), as the text before and
    /// after that id: the history script joins them around the entry id it gets.
    /// </summary>
    public static (string Head, string Tail) WriteAroundId(SseMessage message)
    {
        var text = System.Text.Encoding.UTF8.GetString(Write(message with { Id = IdPlaceholder }));
        var at = text.LastIndexOf(PlaceholderJson, StringComparison.Ordinal);
        return (text[..at], text[(at + PlaceholderJson.Length)..]);
    }

    public static byte[] Write(SseMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(message.Data.Length + 64);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            if (message.IsJson)
            {
                // Written by the publisher's serializer or read from a payload: valid JSON text.
                json.WritePropertyName("data");
                json.WriteRawValue(message.Data);
            }
            else
            {
                json.WriteString("data", message.Data);
            }

            if (!string.IsNullOrEmpty(message.Type))
            {
                json.WriteString("type", message.Type);
            }

            if (!string.IsNullOrEmpty(message.Id))
            {
                json.WriteString("id", message.Id);
            }

            if (message.Retry is { } retry)
            {
                json.WriteNumber("retry", retry);
            }

            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Reads a payload; on failure <paramref name="error"/> says what is wrong with it, as text safe to log
    /// (no line break or other control character of the payload gets into it).
    /// </summary>
    public static bool TryRead(ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out SseMessage? message, [NotNullWhen(false)] out string? error)
    {
        if (TryReadPayload(payload, out message, out error))
        {
            return true;
        }

        error = LogText.Printable(error, 500);
        return false;
    }

    private static bool TryReadPayload(ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out SseMessage? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(payload);
        }
        catch (JsonException e)
        {
            error = $"not JSON ({e.Message})";
            return false;
        }

        using (document)
        {
            try
            {
                return TryRead(document.RootElement, out message, out error);
            }
            catch (InvalidOperationException e)
            {
                // A string escape that is not valid UTF-16, e.g. a lone "\ud800".
                error = $"a string that can not be read ({e.Message})";
                return false;
            }
        }
    }

    private static bool TryRead(JsonElement root, [NotNullWhen(true)] out SseMessage? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = $"a JSON {root.ValueKind.ToString().ToLowerInvariant()}, not an object";
                return false;
            }

            if (!root.TryGetProperty("data", out var data))
            {
                error = "no \"data\" field";
                return false;
            }

            string? type = null, id = null;
            int? retry = null;
            if (root.TryGetProperty("type", out var typeValue))
            {
                switch (typeValue.ValueKind)
                {
                    case JsonValueKind.String: type = typeValue.GetString(); break;
                    case JsonValueKind.Null: break;
                    default: error = $"\"type\" is a JSON {Kind(typeValue)}, not a string"; return false;
                }
            }

            if (root.TryGetProperty("id", out var idValue))
            {
                switch (idValue.ValueKind)
                {
                    case JsonValueKind.String: id = idValue.GetString(); break;
                    case JsonValueKind.Number: id = idValue.GetRawText(); break;
                    case JsonValueKind.Null: break;
                    default: error = $"\"id\" is a JSON {Kind(idValue)}, not a string or number"; return false;
                }
            }

            if (root.TryGetProperty("retry", out var retryValue) && retryValue.ValueKind != JsonValueKind.Null)
            {
                if (retryValue.ValueKind != JsonValueKind.Number || !retryValue.TryGetInt32(out var ms) || ms < 0)
                {
                    error = $"\"retry\" is {retryValue.GetRawText()}, not a non-negative integer of milliseconds";
                    return false;
                }

                retry = ms;
            }

            try
            {
                message = data.ValueKind == JsonValueKind.String
                    ? SseMessage.FromPayload(data.GetString()!, isJson: false, type, id, retry)
                    : SseMessage.FromPayload(data.GetRawText(), isJson: true, type, id, retry);
            }
            catch (ArgumentException e)
            {
                error = $"\"{e.ParamName}\" is not allowed: {e.Message}";
                return false;
            }

            error = null;
            return true;
        }
    }

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();

    private static string EscapedPlaceholder()
    {
        var json = System.Text.Encoding.UTF8.GetString(Write(new SseMessage(string.Empty, id: IdPlaceholder)));
        return json[(json.IndexOf("\"id\":\"", StringComparison.Ordinal) + 6)..^2];
    }
}
