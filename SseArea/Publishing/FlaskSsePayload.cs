using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using SseArea.Streaming;

namespace SseArea.Publishing;

/// <summary>
/// Flask-SSE's Redis payload: a JSON object with <c>data</c> (any JSON value) and, when set,
/// <c>type</c> (string), <c>id</c> (string or number) and <c>retry</c> (integer milliseconds).
/// The one place that reads and writes it.
/// </summary>
internal static class FlaskSsePayload
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    public static byte[] Write(SseMessage message)
    {
        var buffer = new ArrayBufferWriter<byte>(message.Data.Length + 64);
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            if (message.IsJson)
            {
                json.WritePropertyName("data");
                try
                {
                    json.WriteRawValue(message.Data);
                }
                catch (JsonException e)
                {
                    throw new ArgumentException("The message says its data is JSON (IsJson) but Data is not valid JSON text.", nameof(message), e);
                }
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

        error = SseChannelName.Printable(error, 500);
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
}
