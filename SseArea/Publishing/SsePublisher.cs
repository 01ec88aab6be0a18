using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SseArea.Brokers;
using SseArea.Streaming;

namespace SseArea.Publishing;

/// <summary>Checks an event and its channel, then hands it to the broker.</summary>
internal sealed class SsePublisher(ISseBroker broker, IOptions<SseOptions> options, IOptions<JsonOptions> json) : ISsePublisher
{
    private readonly SseOptions _options = options.Value;
    private readonly JsonSerializerOptions _json = json.Value.JsonSerializerOptions;

    public Task<long> PublishAsync(object data, string? type = null, string? id = null, int? retry = null, string? channel = null, CancellationToken cancellationToken = default)
        => PublishAsync(SseMessage.FromObject(data, _json, type, id, retry), channel, cancellationToken);

    public Task<long> PublishAsync(SseMessage message, string? channel = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        channel = string.IsNullOrEmpty(channel) ? _options.DefaultChannel : channel;
        if (SseChannelName.Check(channel, _options.MaxChannelNameLength) is { } reason)
        {
            throw new ArgumentException($"Invalid channel '{SseChannelName.Display(channel)}': {reason}", nameof(channel));
        }

        if (message.IsJson && !IsJsonValue(message.Data))
        {
            throw new ArgumentException("The message says its data is JSON (IsJson) but Data is not valid JSON text.", nameof(message));
        }

        return broker.PublishAsync(channel, message, cancellationToken);
    }

    private static bool IsJsonValue(string text)
    {
        try
        {
            var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
            return reader.Read() && reader.TrySkip() && !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
