using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using StackExchange.Redis;

namespace SseArea.Baseline;

/// <summary>
/// One Redis subscription per channel with local clients; each Flask-SSE payload is decoded and
/// formatted once, and the same bytes go into every client's bounded queue (1024 events, as
/// SseArea's default); a client whose queue is full is cut off.
/// </summary>
internal sealed class FanOutHub(IConnectionMultiplexer redis) : IDisposable
{
    private const int QueueCapacity = 1024;
    private static readonly BoundedChannelOptions QueueOptions = new(QueueCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    };

    // Copy-on-write arrays: delivery reads without a lock; changes are serialised by _gate.
    private readonly ConcurrentDictionary<string, Channel<byte[]>[]> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ChannelMessageQueue> _subscriptions = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task StreamAsync(HttpContext context)
    {
        var channel = context.Request.Query["channel"].FirstOrDefault() is { Length: > 0 } name ? name : "sse";
        var queue = Channel.CreateBounded<byte[]>(QueueOptions);
        await AddAsync(channel, queue);
        try
        {
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            await response.BodyWriter.WriteAsync(":\n\n"u8.ToArray(), context.RequestAborted);
            var reader = queue.Reader;
            while (await reader.WaitToReadAsync(context.RequestAborted))
            {
                while (reader.TryRead(out var frame))
                {
                    response.BodyWriter.Write(frame);
                }

                await response.BodyWriter.FlushAsync(context.RequestAborted);
            }
        }
        catch (OperationCanceledException)
        {
            // The client left.
        }
        finally
        {
            await RemoveAsync(channel, queue);
        }
    }

    private async Task AddAsync(string channel, Channel<byte[]> queue)
    {
        await _gate.WaitAsync();
        try
        {
            var current = _clients.GetValueOrDefault(channel, []);
            _clients[channel] = [.. current, queue];
            if (current.Length == 0)
            {
                var subscription = await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(channel));
                subscription.OnMessage(message => Deliver(channel, message.Message));
                _subscriptions[channel] = subscription;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RemoveAsync(string channel, Channel<byte[]> queue)
    {
        await _gate.WaitAsync();
        try
        {
            var remaining = _clients[channel].Where(q => q != queue).ToArray();
            _clients[channel] = remaining;
            if (remaining.Length == 0 && _subscriptions.Remove(channel, out var subscription))
            {
                await subscription.UnsubscribeAsync();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private void Deliver(string channel, RedisValue payload)
    {
        if (!_clients.TryGetValue(channel, out var clients) || clients.Length == 0 || Format((ReadOnlyMemory<byte>)payload) is not { } frame)
        {
            return;
        }

        foreach (var client in clients)
        {
            if (!client.Writer.TryWrite(frame))
            {
                client.Writer.TryComplete(); // too slow: cut off
            }
        }
    }

    /// <summary>Flask-SSE JSON (<c>data</c>, <c>type</c>, <c>id</c>) to event bytes; null when it is not such a payload.</summary>
    internal static byte[]? Format(ReadOnlyMemory<byte> payload)
    {
        var json = payload.Span;
        var reader = new Utf8JsonReader(json);
        ReadOnlySpan<byte> data = default, type = default, id = default;
        string? dataText = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("data"u8))
                {
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        dataText = reader.GetString();
                    }
                    else
                    {
                        var start = (int)reader.TokenStartIndex;
                        reader.Skip();
                        data = json[start..(int)reader.BytesConsumed];
                    }
                }
                else if (name.SequenceEqual("type"u8) && reader.TokenType == JsonTokenType.String)
                {
                    type = reader.ValueSpan;
                }
                else if (name.SequenceEqual("id"u8) && reader.TokenType is JsonTokenType.String or JsonTokenType.Number)
                {
                    id = reader.ValueSpan;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        var dataBytes = dataText is null ? data : System.Text.Encoding.UTF8.GetBytes(dataText);
        var output = new ArrayBufferWriter<byte>(dataBytes.Length + type.Length + id.Length + 32);
        if (!type.IsEmpty)
        {
            Line(output, "event:"u8, type);
        }

        // One data: line per line of the data (CR, LF or CRLF).
        while (true)
        {
            var end = dataBytes.IndexOfAny((byte)'\r', (byte)'\n');
            Line(output, "data:"u8, end < 0 ? dataBytes : dataBytes[..end]);
            if (end < 0)
            {
                break;
            }

            dataBytes = dataBytes[(dataBytes[end] == (byte)'\r' && end + 1 < dataBytes.Length && dataBytes[end + 1] == (byte)'\n' ? end + 2 : end + 1)..];
        }

        if (!id.IsEmpty)
        {
            Line(output, "id:"u8, id);
        }

        output.Write("\n"u8);
        return output.WrittenSpan.ToArray();
    }

    private static void Line(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> field, ReadOnlySpan<byte> value)
    {
        output.Write(field);
        output.Write(value);
        output.Write("\n"u8);
    }
}
