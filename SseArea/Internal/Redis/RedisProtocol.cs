using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using SseArea.Internal.Diagnostics;

namespace SseArea.Internal.Redis;

/// <summary>
/// The one place that reads and writes what goes through Redis: Flask-SSE's payload, a JSON object with <c>data</c>
/// (any JSON value) and, when set, <c>type</c> (string), <c>id</c> (string or number) and <c>retry</c> (integer ms),
/// so a Flask-SSE app on the same Redis reads SseArea's events and the other way round.
/// </summary>
internal static class RedisProtocol
{
    // Nothing in it is escaped in JSON: the payload holds it as written.
    private const string IdPlaceholder = "SseArea.Id.Placeholder.9c41e7";

    /// <summary>The payload of an event whose id Redis will assign (the entry id), as the text before and after it.</summary>
    public static (string Head, string Tail) WriteAroundId(SseMessage message)
    {
        var text = System.Text.Encoding.UTF8.GetString(Write(message with { Id = IdPlaceholder }));
        var at = text.LastIndexOf(IdPlaceholder, StringComparison.Ordinal);
        return (text[..at], text[(at + IdPlaceholder.Length)..]);
    }

    public static byte[] Write(SseMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(message.Data.Length + 64);
        using (var json = new Utf8JsonWriter(buffer))
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

    /// <summary>Reads a payload; on failure <paramref name="error"/> says what is wrong, as text safe to log.</summary>
    public static bool TryRead(ReadOnlyMemory<byte> payload, [NotNullWhen(true)] out SseMessage? message, [NotNullWhen(false)] out string? error)
    {
        message = null;
        try
        {
            using var document = JsonDocument.Parse(payload);
            error = Read(document.RootElement, out message);
        }
        catch (JsonException e)
        {
            error = $"not JSON ({e.Message})";
        }
        catch (InvalidOperationException e)
        {
            // A string escape that is not valid UTF-16, e.g. a lone "\ud800".
            error = $"a string that can not be read ({e.Message})";
        }

        if (message is not null)
        {
            return true;
        }

        error = LogText.Printable(error!, 500);
        return false;
    }

    /// <summary>Reads the event of a payload's root; answers what is wrong with it, or <see langword="null"/>.</summary>
    private static string? Read(JsonElement root, out SseMessage? message)
    {
        message = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return $"a JSON {Kind(root)}, not an object";
        }

        if (!root.TryGetProperty("data", out var data))
        {
            return "no \"data\" field";
        }

        string? type = null, id = null;
        int? retry = null;
        if (root.TryGetProperty("type", out var typeValue))
        {
            switch (typeValue.ValueKind)
            {
                case JsonValueKind.String: type = typeValue.GetString(); break;
                case JsonValueKind.Null: break;
                default: return $"\"type\" is a JSON {Kind(typeValue)}, not a string";
            }
        }

        if (root.TryGetProperty("id", out var idValue))
        {
            switch (idValue.ValueKind)
            {
                case JsonValueKind.String: id = idValue.GetString(); break;
                case JsonValueKind.Number: id = idValue.GetRawText(); break;
                case JsonValueKind.Null: break;
                default: return $"\"id\" is a JSON {Kind(idValue)}, not a string or number";
            }
        }

        if (root.TryGetProperty("retry", out var retryValue) && retryValue.ValueKind != JsonValueKind.Null)
        {
            if (retryValue.ValueKind != JsonValueKind.Number || !retryValue.TryGetInt32(out var ms) || ms < 0)
            {
                return $"\"retry\" is {retryValue.GetRawText()}, not a non-negative integer of milliseconds";
            }

            retry = ms;
        }

        try
        {
            message = data.ValueKind == JsonValueKind.String
                ? SseMessage.FromPayload(data.GetString()!, isJson: false, type, id, retry)
                : SseMessage.FromPayload(data.GetRawText(), isJson: true, type, id, retry);
            return null;
        }
        catch (ArgumentException e)
        {
            return $"\"{e.ParamName}\" is not allowed: {e.Message}";
        }
    }

    private static string Kind(JsonElement value) => value.ValueKind.ToString().ToLowerInvariant();
}
