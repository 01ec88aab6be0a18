using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;

namespace SseArea.Internal.Publishing;

/// <summary>Turns what the application publishes into an event, checks its channel, and hands it to the broker.</summary>
internal sealed class SsePublisher(ISseBroker broker, IOptions<SseOptions> options, IOptions<JsonOptions> json) : ISsePublisher
{
    private readonly SseOptions _options = options.Value;
    private readonly JsonSerializerOptions _json = json.Value.JsonSerializerOptions;

    public Task<long> PublishAsync(object data, string? type = null, string? id = null, int? retry = null, string? channel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var message = data is string text
            ? new SseMessage(text, type, id, retry)
            : SseMessage.Json(JsonSerializer.Serialize(data, data.GetType(), _json), type, id, retry);
        ThrowIfTooLarge(message, nameof(data));
        return PublishAsync(message, channel, cancellationToken);
    }

    public Task<long> PublishAsync(SseMessage message, string? channel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ThrowIfTooLarge(message, nameof(message));
        channel = string.IsNullOrEmpty(channel) ? _options.DefaultChannel : channel;
        SseChannelName.ThrowIfInvalid(channel, _options.MaxChannelNameLength, nameof(channel));
        return broker.PublishAsync(channel, message, cancellationToken);
    }

    private void ThrowIfTooLarge(SseMessage message, string argument)
    {
        // Counted only when it may be over: a UTF-16 char is at most 3 UTF-8 bytes.
        if (message.Data.Length * 3L > _options.MaxEventBytes && System.Text.Encoding.UTF8.GetByteCount(message.Data) is var bytes && bytes > _options.MaxEventBytes)
        {
            throw new ArgumentException($"The event's data is {bytes} bytes, more than Sse:MaxEventBytes ({_options.MaxEventBytes}) allows.", argument);
        }
    }
}
