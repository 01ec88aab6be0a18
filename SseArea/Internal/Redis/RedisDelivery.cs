using Microsoft.Extensions.Logging;
using SseArea.Internal.Diagnostics;
using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;
using StackExchange.Redis;

namespace SseArea.Internal.Redis;

/// <summary>
/// Hands a channel's payloads from Redis to this process's listeners: each is read once (<see cref="RedisProtocol.TryRead"/>;
/// one that is too large or not a Flask-SSE event is logged and skipped) and formatted once, and every local listener
/// gets the same frames, a batch at a time (<see cref="RedisMessageBatches"/>).
/// </summary>
internal sealed class RedisDelivery(ILogger logger, SseMetrics? metrics, int maxEventBytes)
{
    public ListenerRegistry Listeners { get; } = new();

    /// <summary>Formats each payload once and hands them all to the channel's listeners.</summary>
    public void Deliver(string channel, ReadOnlySpan<RedisValue> payloads)
    {
        if (payloads.Length == 1)
        {
            // A lone event (the usual case) needs no array.
            if (Frame(channel, payloads[0]) is { } frame)
            {
                FanOut(channel, new ReadOnlySpan<SseFrame>(in frame));
            }

            return;
        }

        var frames = new SseFrame[payloads.Length];
        var count = 0;
        foreach (var payload in payloads)
        {
            if (Frame(channel, payload) is { } frame)
            {
                frames[count++] = frame;
            }
        }

        FanOut(channel, frames.AsSpan(0, count));
    }

    /// <summary>Delivering events threw (a listener failed): some streams of the channel may lack them, so they are told.</summary>
    public void Failed(string channel, int count, Exception exception)
    {
        RedisLog.DeliveryFailed(logger, channel, count, exception);
        var notices = Listeners.Deliver(channel, new SseFrame(SseWriter.MissedNotice([channel])), out _);
        metrics?.MissedSent(notices);
    }

    /// <summary>The payload formatted once (every local listener writes these same bytes); null, with a warning, when it is not a Flask-SSE event.</summary>
    private SseFrame? Frame(string channel, RedisValue payload)
    {
        var bytes = (ReadOnlyMemory<byte>)payload;
        var error = bytes.Length > maxEventBytes ? $"{bytes.Length} bytes, more than Sse:MaxEventBytes ({maxEventBytes})" : null;
        if (error is not null || !RedisProtocol.TryRead(bytes, out var message, out error))
        {
            RedisLog.InvalidPayload(logger, channel, error, LogText.Printable(payload.ToString(), 200));
            return null;
        }

        return SseWriter.Event(message, channel);
    }

    private void FanOut(string channel, ReadOnlySpan<SseFrame> frames)
    {
        var delivered = Listeners.Deliver(channel, frames, out var refused);
        metrics?.EventFannedOut(delivered, refused);
    }
}
