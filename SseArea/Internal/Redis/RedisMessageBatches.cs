using System.Buffers;
using System.Threading.Channels;
using StackExchange.Redis;

namespace SseArea.Internal.Redis;

/// <summary>
/// Reads one channel's subscription and hands over its messages in batches: whatever has arrived, up to
/// <see cref="MaxBatch"/> messages, goes at once. In a burst every stream's queue then takes many events with one lock
/// and one wake, and its client gets them in one write (per event, the pumps raced the fan-out and wrote one or two
/// events per write); a lone event still goes at once. Used instead of the subscription's <c>OnMessage</c> loop, which
/// hands messages over one by one (and ignores a handler that throws): like it, the loop ends when the subscription
/// does; a batch whose delivery throws goes to <c>failed</c>, and the loop goes on.
/// </summary>
internal static class RedisMessageBatches
{
    /// <summary>The most messages handed over at once (a bound on the batch buffer, rented only while a batch is handed over).</summary>
    public const int MaxBatch = 64;

    /// <summary>Starts reading <paramref name="queue"/> in the background, handing each batch to <paramref name="deliver"/>.</summary>
    public static Task Start(ChannelMessageQueue queue, string channel, Action<string, ReadOnlySpan<RedisValue>> deliver, Action<string, int, Exception> failed)
    {
        // The loop lives as long as the subscription: it must not keep the execution context of the request that made it.
        var flow = ExecutionContext.IsFlowSuppressed() ? default(AsyncFlowControl?) : ExecutionContext.SuppressFlow();
        try
        {
            return Task.Run(() => ReadAsync(queue, channel, deliver, failed));
        }
        finally
        {
            flow?.Undo();
        }
    }

    /// <summary>Waits for a message, then hands it over with whatever else has arrived. An idle channel holds no buffer.</summary>
    private static async Task ReadAsync(ChannelMessageQueue queue, string channel, Action<string, ReadOnlySpan<RedisValue>> deliver, Action<string, int, Exception> failed)
    {
        while (true)
        {
            ChannelMessage first;
            try
            {
                if (!queue.TryRead(out first))
                {
                    first = await queue.ReadAsync();
                }
            }
            catch (ChannelClosedException)
            {
                return; // unsubscribed
            }

            HandOver(queue, channel, first.Message, deliver, failed);
        }
    }

    private static void HandOver(ChannelMessageQueue queue, string channel, RedisValue first, Action<string, ReadOnlySpan<RedisValue>> deliver, Action<string, int, Exception> failed)
    {
        var count = 1;
        RedisValue[]? batch = null;
        try
        {
            if (queue.TryRead(out var next))
            {
                batch = ArrayPool<RedisValue>.Shared.Rent(MaxBatch);
                batch[0] = first;
                batch[count++] = next.Message;
                while (count < MaxBatch && queue.TryRead(out next))
                {
                    batch[count++] = next.Message;
                }
            }

            deliver(channel, batch is null ? new ReadOnlySpan<RedisValue>(in first) : batch.AsSpan(0, count));
        }
        catch (Exception e)
        {
            failed(channel, count, e);
        }
        finally
        {
            if (batch is not null)
            {
                ArrayPool<RedisValue>.Shared.Return(batch, clearArray: true); // payloads are not kept alive by the pool
            }
        }
    }
}
