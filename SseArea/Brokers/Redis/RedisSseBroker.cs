using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseArea.Diagnostics;
using SseArea.Publishing;
using SseArea.Streaming;
using StackExchange.Redis;

namespace SseArea.Brokers.Redis;

/// <summary>
/// Redis pub/sub broker: one multiplexer per application, one SUBSCRIBE per channel that has at
/// least one local listener (not one per client), fan-out in process. Payloads are Flask-SSE JSON.
/// With <see cref="SseOptions.RedisShardedPubSub"/>, SSUBSCRIBE/SPUBLISH instead. Works on a single
/// Redis and on Redis Cluster (recognised once connected; see <see cref="RedisKeys"/>).
/// </summary>
internal sealed class RedisSseBroker : ISseBroker
{
    private readonly ConfigurationOptions _configuration;
    private readonly ILogger _logger;
    private readonly SseMetrics? _metrics;
    private readonly int _historyLength;
    private readonly bool _sharded;
    // 0: not known yet, 1: a single Redis, 2: Redis Cluster. Known once a server has answered.
    private int _topology;
    private readonly ListenerRegistry _listeners = new();
    private readonly Dictionary<string, ChannelMessageQueue> _subscriptions = new(StringComparer.Ordinal);
    // Where each channel's subscription was confirmed (on a cluster, its slot's master). Kept apart from
    // the multiplexer's own view, which is in flux while a connection comes back: see ServedBy.
    private readonly ConcurrentDictionary<string, EndPoint> _subscribedAt = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _subscriptionGate = new(1, 1);
    // The longest a SUBSCRIBE/UNSUBSCRIBE may hold the subscription gate. StackExchange.Redis times
    // commands out by itself after AsyncTimeout; this bound makes sure that a command it never
    // completes (seen once during CLIENT PAUSE) can not block every later subscriber.
    private readonly TimeSpan _subscriptionTimeout;
    private readonly Lazy<Task<ConnectionMultiplexer>> _connection;
    private readonly RedisPresence _presence;
    private readonly CancellationTokenSource _stopping = new();
    private Task _presenceLoop = Task.CompletedTask;
    private volatile bool _disposed;

    public RedisSseBroker(IOptions<SseOptions> options, ILogger<RedisSseBroker> logger, SseMetrics? metrics = null)
    {
        _metrics = metrics;
        _historyLength = options.Value.HistoryLength;
        _sharded = options.Value.RedisShardedPubSub;
        var settings = options.Value;
        if (!RedisUrl.TryParse(settings.RedisUrl ?? string.Empty, out var configuration, out var error))
        {
            // Startup validation refuses the value first; this guards direct construction.
            throw new InvalidOperationException($"The Redis URL in '{settings.RedisUrlSource}' is malformed: {error}.");
        }

        // Keep retrying in the background when Redis is down, and fail commands at once meanwhile:
        // a publish that can not reach Redis throws instead of waiting in a backlog.
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName ??= "SseArea";
        _configuration = configuration;
        _subscriptionTimeout = TimeSpan.FromMilliseconds(2.0 * Math.Max(configuration.AsyncTimeout, 100));
        _logger = logger;
        Endpoint = RedisUrl.DescribeEndPoints(configuration);
        _connection = new Lazy<Task<ConnectionMultiplexer>>(ConnectAsync);
        _presence = new RedisPresence(_listeners.Count, () => _listeners.Channels);
    }

    /// <summary>The Redis endpoints, for messages (never the password).</summary>
    public string Endpoint { get; }

    public string Description => _sharded
        ? $"Redis at {Endpoint} (sharded pub/sub: one SSUBSCRIBE per channel per process)"
        : $"Redis at {Endpoint} (one subscription per channel per process)";

    public string? Problem => _connection.IsValueCreated && _connection.Value.IsCompletedSuccessfully && _connection.Value.Result.IsConnected
        ? null
        : $"Redis at {Endpoint} is not connected.";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _connection.Value;
        _presenceLoop = _presence.RunAsync(
            async () => await _connection.Value is { IsConnected: true } redis ? redis.GetDatabase() : null,
            e => RedisLog.PresenceFailed(_logger, e),
            _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task<long> CountSubscribersAsync(string channel, CancellationToken cancellationToken)
    {
        var redis = await ConnectedAsync(cancellationToken);
        try
        {
            return await _presence.CountAsync(redis.GetDatabase(), channel).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw new SseBrokerException($"Could not count the subscribers of channel '{SseChannelName.Display(channel)}': Redis at {Endpoint} did not answer ({e.Message}).", e);
        }
    }

    public async Task<long> PublishAsync(string channel, SseMessage message, CancellationToken cancellationToken)
    {
        var payload = _historyLength > 0 ? [] : FlaskSsePayload.Write(message);
        var redis = await ConnectedAsync(cancellationToken);
        try
        {
            var receivers = _historyLength > 0
                ? await RedisHistory.PublishAsync(redis.GetDatabase(), channel, message, _historyLength, IsCluster(redis), _sharded).WaitAsync(cancellationToken)
                : await redis.GetSubscriber().PublishAsync(RedisChannelOf(channel), payload).WaitAsync(cancellationToken);
            _metrics?.EventPublished();
            return receivers;
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw new SseBrokerException($"Could not publish to channel '{SseChannelName.Display(channel)}': Redis at {Endpoint} did not take the event ({e.Message}).", e);
        }
    }

    public async Task<ISseSubscription> SubscribeAsync(IReadOnlyList<string> channels, ISseListener listener, string? lastEventId, CancellationToken cancellationToken)
    {
        var redis = await ConnectedAsync(cancellationToken);
        var subscription = new Subscription(this, listener);
        try
        {
            // With history, each channel's position is read before SUBSCRIBE: the stream starts from
            // it, so the client is never told a position whose events are still in flight live.
            var before = _historyLength > 0 ? await ReadPositionsAsync(redis, channels, cancellationToken) : null;
            foreach (var channel in channels)
            {
                await AddAsync(redis, channel, listener, cancellationToken);
                subscription.Channels.Add(channel);
            }

            if (before is not null)
            {
                // Read after SUBSCRIBE: an event published after the positions were read arrives both
                // ways, and the connection skips the live copy (SseReplay.Overlap); none falls between.
                subscription.Replay = await ReadReplayAsync(redis, channels, lastEventId, before, cancellationToken);
            }
        }
        catch
        {
            await subscription.DisposeAsync();
            throw;
        }

        return subscription;
    }

    private async Task<HistoryPosition[]> ReadPositionsAsync(ConnectionMultiplexer redis, IReadOnlyList<string> channels, CancellationToken cancellationToken)
    {
        try
        {
            return await RedisHistory.ReadPositionsAsync(redis.GetDatabase(), channels).WaitAsync(cancellationToken);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw new SseBrokerException($"Could not read the event history: Redis at {Endpoint} did not answer ({e.Message}).", e);
        }
    }

    private async Task<SseReplay> ReadReplayAsync(ConnectionMultiplexer redis, IReadOnlyList<string> channels, string? lastEventId, HistoryPosition[] before, CancellationToken cancellationToken)
    {
        try
        {
            return await RedisHistory.ReadAsync(redis.GetDatabase(), channels, lastEventId, before, _historyLength, (channel, error) => RedisLog.InvalidPayload(_logger, channel, error, "(history entry)"))
                .WaitAsync(cancellationToken);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            throw new SseBrokerException($"Could not read the event history: Redis at {Endpoint} did not answer ({e.Message}).", e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Streams may still be ending while the application's services are disposed: they then
        // only drop their local listeners (see RemoveAsync); the semaphore is left undisposed for them.
        _disposed = true;
        await _stopping.CancelAsync();
        await _presenceLoop;
        if (_connection.IsValueCreated)
        {
            try
            {
                var redis = await _connection.Value;
                await ForgetCountsAsync(redis);
                await redis.DisposeAsync();
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                // Nothing to close (the connection was never made), or the counts expire by themselves.
            }
        }
    }

    private async Task ForgetCountsAsync(ConnectionMultiplexer redis)
    {
        if (!redis.IsConnected)
        {
            return;
        }

        try
        {
            // A clean stop leaves no count behind; after a crash the entries expire by themselves.
            await _presence.ForgetAsync(redis.GetDatabase()).WaitAsync(TimeSpan.FromSeconds(1));
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            RedisLog.PresenceFailed(_logger, e);
        }
    }

    private async Task AddAsync(ConnectionMultiplexer redis, string channel, ISseListener listener, CancellationToken cancellationToken)
    {
        await _subscriptionGate.WaitAsync(cancellationToken);
        try
        {
            // The listener is in place before SUBSCRIBE is confirmed, and the caller starts the
            // stream only after that: no event can fall between subscribing and streaming.
            var first = _listeners.Add(channel, listener);
            _presence.Changed(channel);
            if (!first)
            {
                return;
            }

            var subscriber = redis.GetSubscriber();
            ChannelMessageQueue queue;
            try
            {
                queue = await subscriber.SubscribeAsync(RedisChannelOf(channel)).WaitAsync(_subscriptionTimeout, cancellationToken);
            }
            catch (Exception e)
            {
                // Whatever failed (Redis error, timeout, disposal), leave no trace: the next client
                // must find the channel unsubscribed and try again, and the multiplexer must not
                // keep a queue that nobody reads (it records one before SUBSCRIBE is confirmed).
                _listeners.Remove(channel, listener);
                _presence.Changed(channel);
                await ForgetChannelAsync(subscriber, channel);
                throw new SseBrokerException($"Could not subscribe to channel '{SseChannelName.Display(channel)}': Redis at {Endpoint} did not confirm ({e.Message}).", e);
            }

            queue.OnMessage(message => Deliver(channel, message.Message));
            _subscriptions[channel] = queue;
            if (subscriber.SubscribedEndpoint(RedisChannelOf(channel)) is { } at)
            {
                _subscribedAt[channel] = at;
            }

            RedisLog.Subscribed(_logger, channel);
        }
        finally
        {
            _subscriptionGate.Release();
        }
    }

    private async Task RemoveAsync(string channel, ISseListener listener)
    {
        if (_disposed)
        {
            // The multiplexer is closed (and its subscriptions with it): only the local listener is left to drop.
            _listeners.Remove(channel, listener);
            return;
        }

        await _subscriptionGate.WaitAsync();
        try
        {
            var last = _listeners.Remove(channel, listener);
            _presence.Changed(channel);
            if (!last || !_subscriptions.Remove(channel, out var queue))
            {
                return;
            }

            _subscribedAt.TryRemove(channel, out _);

            try
            {
                await queue.UnsubscribeAsync().WaitAsync(_subscriptionTimeout);
                RedisLog.Unsubscribed(_logger, channel);
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                // The multiplexer forgets the subscription either way, so it is not restored on reconnect.
                RedisLog.UnsubscribeFailed(_logger, channel, e);
            }
        }
        finally
        {
            _subscriptionGate.Release();
        }
    }

    /// <summary>The channel as Redis pub/sub names it: always literal (a channel named <c>*</c> is no pattern), sharded when configured.</summary>
    private RedisChannel RedisChannelOf(string channel) => _sharded ? RedisChannel.Sharded(channel) : RedisChannel.Literal(channel);

    /// <summary>Whether the connected Redis is a cluster (then no key may be shared across channels).</summary>
    private bool IsCluster(ConnectionMultiplexer redis)
    {
        if (_topology == 0)
        {
            foreach (var server in redis.GetServers())
            {
                if (server.IsConnected)
                {
                    _topology = server.ServerType == ServerType.Cluster ? 2 : 1;
                    break;
                }
            }
        }

        return _topology == 2;
    }

    /// <summary>The ways a Redis command fails: an error, a timeout, or a multiplexer already closed.</summary>
    private static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    private async Task ForgetChannelAsync(ISubscriber subscriber, string channel)
    {
        try
        {
            // Drops every local handler of the channel; safe here, where this listener was its first.
            await subscriber.UnsubscribeAsync(RedisChannelOf(channel)).WaitAsync(_subscriptionTimeout);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            RedisLog.UnsubscribeFailed(_logger, channel, e);
        }
    }

    private void Deliver(string channel, RedisValue payload)
    {
        if (!FlaskSsePayload.TryRead((ReadOnlyMemory<byte>)payload, out var message, out var error))
        {
            RedisLog.InvalidPayload(_logger, channel, error, Shorten(payload));
            return;
        }

        // Formatted once; every local listener writes these same bytes.
        var delivered = _listeners.Deliver(channel, SseEventFormatter.FormatFrame(message, channel), out var refused);
        _metrics?.EventFannedOut(delivered, refused);
    }

    private async Task<ConnectionMultiplexer> ConnectedAsync(CancellationToken cancellationToken)
    {
        var redis = await _connection.Value.WaitAsync(cancellationToken);
        return redis.IsConnected
            ? redis
            : throw new SseBrokerException($"Redis at {Endpoint} is unreachable; the connection is being retried.");
    }

    private async Task<ConnectionMultiplexer> ConnectAsync()
    {
        var redis = await ConnectionMultiplexer.ConnectAsync(_configuration);
        redis.ConnectionFailed += (_, e) => RedisLog.ConnectionFailed(_logger, e.EndPoint?.ToString() ?? Endpoint, e.FailureType.ToString(), e.Exception);
        redis.ConnectionRestored += (_, e) =>
        {
            RedisLog.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? Endpoint);
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                // Counted once per reconnect: the subscription connection comes back with it.
                _metrics?.RedisReconnected();
                // A Redis that restarted without persistence lost every count: write them again now.
                _presence.RewriteAll();
            }
            else if (e.ConnectionType == ConnectionType.Subscription)
            {
                TellListenersTheyMayHaveMissedEvents(redis, e.EndPoint);
            }
        };
        if (redis.IsConnected)
        {
            RedisLog.Connected(_logger, Endpoint);
            if (IsCluster(redis))
            {
                RedisLog.ClusterRecognised(
                    _logger,
                    Endpoint,
                    redis.GetServers().Count(s => s.ServerType == ServerType.Cluster && !s.IsReplica),
                    _sharded ? "sharded pub/sub (SSUBSCRIBE/SPUBLISH on the shard of each channel's slot)"
                        : "PUBLISH, broadcast to every node (Sse:RedisShardedPubSub keeps each channel on its shard)");
            }
        }
        else
        {
            RedisLog.NotConnected(_logger, Endpoint);
        }

        return redis;
    }

    /// <summary>
    /// After the subscription connection to <paramref name="endPoint"/> came back: events published
    /// while it was down reached no local stream, and nothing can tell which, so each open stream of a
    /// channel served there gets an <c>sse-missed</c> notice (as a reconnect with an id too old to
    /// replay does): its client reloads its state, or reconnects with its Last-Event-ID when history is on.
    /// </summary>
    private void TellListenersTheyMayHaveMissedEvents(ConnectionMultiplexer redis, EndPoint? endPoint)
    {
        var told = 0;
        foreach (var channel in _listeners.Channels.ToArray())
        {
            if (!ServedBy(redis, channel, endPoint))
            {
                continue;
            }

            _listeners.Deliver(channel, new SseFrame(MissedNotice(channel)), out _);
            told++;
        }

        if (told > 0)
        {
            RedisLog.SubscriptionGap(_logger, endPoint?.ToString() ?? Endpoint, told);
        }
    }

    /// <summary>
    /// Whether the channel's subscription lives on <paramref name="endPoint"/> (always, off a cluster).
    /// When a master's subscription connection comes back, the multiplexer's view is in flux: the
    /// channel may not be resubscribed yet (no subscribed endpoint), and while the master's other
    /// connection is still down its slot may be routed to another node. So a channel counts as served
    /// there when it was subscribed there, is subscribed there now, maps there, or is subscribed
    /// nowhere at the moment; telling a stream once too often is harmless, missing one is not.
    /// </summary>
    private bool ServedBy(ConnectionMultiplexer redis, string channel, EndPoint? endPoint)
    {
        if (endPoint is null || !IsCluster(redis))
        {
            return true;
        }

        if (_subscribedAt.TryGetValue(channel, out var at) && Equals(at, endPoint))
        {
            return true;
        }

        try
        {
            var subscriber = redis.GetSubscriber();
            var subscribed = subscriber.SubscribedEndpoint(RedisChannelOf(channel));
            return subscribed is null
                || Equals(subscribed, endPoint)
                || Equals(subscriber.IdentifyEndpoint(RedisChannelOf(channel)), endPoint);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            return true;
        }
    }

    private static byte[] MissedNotice(string channel) => System.Text.Encoding.UTF8.GetBytes(SseConnection.MissedNoticeText([channel]));

    /// <summary>The start of a skipped payload for the log: at most 200 characters, line breaks and control characters escaped.</summary>
    private static string Shorten(RedisValue payload) => SseChannelName.Printable(payload.ToString(), 200);

    private sealed class Subscription(RedisSseBroker broker, ISseListener listener) : ISseSubscription
    {
        private int _disposed;

        public List<string> Channels { get; } = [];

        public SseReplay Replay { get; set; } = SseReplay.None;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            foreach (var channel in Channels)
            {
                await broker.RemoveAsync(channel, listener);
            }
        }
    }
}
