// A little longer than 250 lines: every change to a channel's subscription (subscribe, unsubscribe, a SUBSCRIBE
// given up on, closing) goes through the channel's gate; they are kept in one file so that rule reads at once.
using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using SseArea.Internal.Diagnostics;
using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;
using StackExchange.Redis;

namespace SseArea.Internal.Redis;

/// <summary>
/// This process's Redis subscriptions, as SignalR's <c>RedisSubscriptionManager</c> keeps them: one SUBSCRIBE per
/// channel while it has local listeners; each message is decoded and formatted once for all of them. Channels are
/// always literal (a channel named <c>*</c> is no pattern).
/// </summary>
internal sealed class RedisSubscriptions(RedisConnection connection, bool sharded, Action<string> countChanged, ILogger logger, SseMetrics? metrics, int maxEventBytes = int.MaxValue, string prefix = "")
{
    private readonly ConcurrentDictionary<string, ChannelMessageQueue> _queues = new(StringComparer.Ordinal);
    // Where each channel's subscription was confirmed (on a cluster, its slot's master). Kept apart from
    // the multiplexer's own view, which is in flux while a connection comes back: see ServedBy.
    private readonly ConcurrentDictionary<string, EndPoint> _subscribedAt = new(StringComparer.Ordinal);
    // A channel's subscription changes are serialised (as SignalR's manager does), per channel; delivery never waits.
    private readonly ChannelGates _gates = new();
    private volatile bool _closed;

    // Reads and formats each payload once, and hands the frames to the local listeners.
    private readonly RedisDelivery _delivery = new(logger, metrics, maxEventBytes);

    public ListenerRegistry Listeners => _delivery.Listeners;

    /// <summary>The channel as Redis pub/sub names it: after the prefix, always literal, sharded when configured.</summary>
    public RedisChannel ChannelOf(string channel) => sharded ? RedisChannel.Sharded(prefix + channel) : RedisChannel.Literal(prefix + channel);

    /// <summary>Adds a local listener, SUBSCRIBEing for the channel's first: it then gets every event published afterwards.</summary>
    /// <exception cref="SseBrokerException">Redis did not confirm the subscription; nothing is left behind.</exception>
    public async Task AddAsync(IConnectionMultiplexer redis, string channel, ISseListener listener, CancellationToken cancellationToken)
    {
        using (await _gates.EnterAsync(channel, cancellationToken))
        {
            // The listener is in place before SUBSCRIBE is confirmed, and the stream starts only after that:
            // no event can fall between subscribing and streaming.
            var first = Listeners.Add(channel, listener);
            countChanged(channel);
            if (!first)
            {
                return;
            }

            var subscriber = redis.GetSubscriber();
            var subscribing = subscriber.SubscribeAsync(ChannelOf(channel));
            ChannelMessageQueue queue;
            try
            {
                queue = await subscribing.WaitAsync(connection.SubscriptionTimeout, cancellationToken);
            }
            catch (Exception e)
            {
                // Whatever failed, leave no trace: the next client must find the channel unsubscribed, and the
                // multiplexer must not keep the queue it recorded before SUBSCRIBE was confirmed. On SseArea's own
                // connection every handler of the channel is SseArea's; on the application's, only this queue is.
                Listeners.Remove(channel, listener);
                countChanged(channel);
                if (connection.Owned)
                {
                    await UnsubscribedAsync(channel, subscriber.UnsubscribeAsync(ChannelOf(channel)));
                }

                // Redis may still run the SUBSCRIBE given up on (a frozen Redis holds it in its input) once it answers.
                _ = ForgetAbandonedAsync(redis, channel, subscribing);

                if (e is OperationCanceledException && cancellationToken.IsCancellationRequested)
                {
                    throw; // the client left
                }

                throw new SseBrokerException($"Could not subscribe to channel '{SseChannelName.Display(channel)}': Redis at {connection.Endpoint} did not confirm ({e.Message}).", e);
            }

            _ = RedisMessageBatches.Start(queue, channel, _delivery.Deliver, _delivery.Failed);
            _queues[channel] = queue;
            if (subscriber.SubscribedEndpoint(ChannelOf(channel)) is { } at)
            {
                _subscribedAt[channel] = at;
            }

            RedisLog.Subscribed(logger, channel);
        }
    }

    /// <summary>Removes a local listener; UNSUBSCRIBEs when it was the channel's last.</summary>
    public async Task RemoveAsync(string channel, ISseListener listener)
    {
        if (_closed)
        {
            // The multiplexer is closed (and its subscriptions with it): only the local listener is left to drop.
            Listeners.Remove(channel, listener);
            return;
        }

        using (await _gates.EnterAsync(channel))
        {
            var last = Listeners.Remove(channel, listener);
            countChanged(channel);
            if (!last || !_queues.TryRemove(channel, out var queue))
            {
                return;
            }

            _subscribedAt.TryRemove(channel, out _);
            if (await UnsubscribedAsync(channel, queue.UnsubscribeAsync()))
            {
                RedisLog.Unsubscribed(logger, channel);
            }
        }
    }

    /// <summary>
    /// The broker is closing: streams that end from now on only drop their local listeners. On a connection
    /// of the application's own (<paramref name="unsubscribe"/>), which outlives the broker, every channel
    /// still subscribed is unsubscribed now; a connection of SseArea's drops them as it closes.
    /// </summary>
    public async Task CloseAsync(bool unsubscribe)
    {
        _closed = true;
        if (!unsubscribe)
        {
            return;
        }

        foreach (var channel in _queues.Keys.ToArray())
        {
            using (await _gates.EnterAsync(channel))
            {
                if (_queues.TryRemove(channel, out var queue))
                {
                    await UnsubscribedAsync(channel, queue.UnsubscribeAsync());
                }
            }
        }
    }

    /// <summary>Sends <c>sse-missed</c> to the streams of channels served by a subscription connection that came back.</summary>
    public void TellOfGap(IConnectionMultiplexer redis, EndPoint? endPoint, bool cluster)
    {
        int told = 0, notices = 0;
        foreach (var channel in Listeners.Channels.ToArray())
        {
            if (cluster && endPoint is not null && !ServedBy(redis, channel, endPoint))
            {
                continue;
            }

            notices += Listeners.Deliver(channel, new SseFrame(SseWriter.MissedNotice([channel])), out _);
            told++;
        }

        if (told > 0)
        {
            RedisLog.SubscriptionGap(logger, endPoint?.ToString() ?? connection.Endpoint, told);
            metrics?.MissedSent(notices);
            metrics?.RedisGap();
        }
    }

    /// <summary>
    /// Whether a cluster channel's subscription lives on <paramref name="endPoint"/>. While a master's connections come
    /// back, the multiplexer's view is in flux (not resubscribed yet, or the slot routed elsewhere), so a channel counts
    /// when it was or is subscribed there, maps there, or is subscribed nowhere: telling once too often is harmless.
    /// </summary>
    private bool ServedBy(IConnectionMultiplexer redis, string channel, EndPoint endPoint)
    {
        if (_subscribedAt.TryGetValue(channel, out var at) && Equals(at, endPoint))
        {
            return true;
        }

        try
        {
            var subscriber = redis.GetSubscriber();
            var subscribed = subscriber.SubscribedEndpoint(ChannelOf(channel));
            return subscribed is null
                || Equals(subscribed, endPoint)
                || Equals(subscriber.IdentifyEndpoint(ChannelOf(channel)), endPoint);
        }
        catch (Exception e) when (RedisConnection.IsFailure(e))
        {
            return true;
        }
    }

    /// <summary>
    /// After a SUBSCRIBE was given up on: once Redis answers again, and unless a stream has subscribed the channel
    /// since, makes sure Redis has no subscription left for it. The SUBSCRIBE may still be in Redis's input (a frozen
    /// Redis runs it when it wakes) while the multiplexer has forgotten it, so an UNSUBSCRIBE is sent through a
    /// subscription of its own, after it on the same connection. Tries for a bounded time (30 attempts).
    /// </summary>
    private async Task ForgetAbandonedAsync(IConnectionMultiplexer redis, string channel, Task<ChannelMessageQueue> subscribing)
    {
        try
        {
            // The multiplexer completes it one way or the other; a queue made after all would keep messages for no one.
            await (await subscribing).UnsubscribeAsync();
        }
        catch (Exception e) when (RedisConnection.IsFailure(e))
        {
            // never subscribed, or Redis does not answer yet: see below
        }

        for (var attempt = 0; attempt < 30 && !_closed; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(connection.SubscriptionTimeout);
            }

            using (await _gates.EnterAsync(channel))
            {
                if (_closed || _queues.ContainsKey(channel))
                {
                    return; // subscribed again since: that subscription is wanted
                }

                try
                {
                    var queue = await redis.GetSubscriber().SubscribeAsync(ChannelOf(channel)).WaitAsync(connection.SubscriptionTimeout);
                    await queue.UnsubscribeAsync().WaitAsync(connection.SubscriptionTimeout);
                    return;
                }
                catch (Exception e) when (RedisConnection.IsFailure(e))
                {
                    // Redis does not answer yet: try again after a while
                }
            }
        }
    }

    /// <summary>Waits (bounded) for an UNSUBSCRIBE; a failure is logged: the multiplexer forgets the subscription either way.</summary>
    private async Task<bool> UnsubscribedAsync(string channel, Task unsubscribing)
    {
        try
        {
            await unsubscribing.WaitAsync(connection.SubscriptionTimeout);
            return true;
        }
        catch (Exception e) when (RedisConnection.IsFailure(e))
        {
            RedisLog.UnsubscribeFailed(logger, channel, e);
            return false;
        }
    }
}
