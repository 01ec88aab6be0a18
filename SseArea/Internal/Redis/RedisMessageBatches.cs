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
    /// <summary>The most messages handed over at once (a bound on the batch buffer, 64 references).</summary>
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

    private static async Task ReadAsync(ChannelMessageQueue queue, string channel, Action<string, ReadOnlySpan<RedisValue>> deliver, Action<string, int, Exception> failed)
    {
        var batch = new RedisValue[MaxBatch];
        while (true)
        {
            try
            {
                if (!queue.TryRead(out var first))
                {
                    first = await queue.ReadAsync();
                }

                batch[0] = first.Message;
            }
            catch (ChannelClosedException)
            {
                return; // unsubscribed
            }

            var count = 1;
            while (count < MaxBatch && queue.TryRead(out var next))
            {
                batch[count++] = next.Message;
            }

            try
            {
                deliver(channel, batch.AsSpan(0, count));
            }
            catch (Exception e)
            {
                failed(channel, count, e);
            }

            Array.Clear(batch, 0, count); // payloads are not kept alive by the buffer
        }
    }
}
