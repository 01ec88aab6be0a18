using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseArea.Internal.Diagnostics;
using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;
using StackExchange.Redis;

namespace SseArea.Internal.Redis;

/// <summary>
/// The Redis broker, on a single Redis or a cluster: publishes Flask-SSE payloads (with history, through
/// <see cref="RedisHistory"/>), streams through <see cref="RedisSubscriptions"/>, counts subscribers across servers
/// with <see cref="RedisPresence"/>, all over one <see cref="RedisConnection"/>.
/// </summary>
internal sealed class RedisSseBroker : ISseBroker
{
    private readonly ILogger _logger;
    private readonly SseMetrics? _metrics;
    private readonly int _historyLength;
    private readonly bool _sharded;
    private readonly string _prefix; // Sse:Redis:ChannelPrefix: before every name SseArea gives Redis
    private readonly RedisConnection _connection;
    private readonly RedisSubscriptions _subscriptions;
    internal ListenerRegistry Listeners => _subscriptions.Listeners; // for tests: who waits on which channel
    private readonly RedisPresence _presence;
    private const string ReadFailed = "Could not read the event history";
    private readonly CancellationTokenSource _stopping = new();
    private readonly (int Events, long Bytes) _replayBudget; // a replay reads no more than a stream may hold
    // Replays are read a few at a time (Sse:MaxConcurrentReplays). Never disposed: see RedisSubscriptions' gate.
    private readonly SemaphoreSlim _replays;
    private Task _presenceLoop = Task.CompletedTask;

    public RedisSseBroker(IOptions<SseOptions> options, ILogger<RedisSseBroker> logger, SseMetrics? metrics = null)
    {
        _logger = logger;
        _metrics = metrics;
        _historyLength = options.Value.HistoryLength;
        _sharded = options.Value.Redis.ShardedPubSub;
        _prefix = options.Value.Redis.ChannelPrefix ?? string.Empty;
        _replayBudget = (options.Value.MaxQueuedEventsPerConnection, options.Value.MaxBufferedBytesPerConnection);
        _replays = new SemaphoreSlim(options.Value.MaxConcurrentReplays, options.Value.MaxConcurrentReplays);
        _connection = new RedisConnection(options.Value.Redis, logger, InteractiveRestored, SubscriptionRestored);
        // A payload is JSON around the data: the limit on data leaves room for the JSON around it.
        var maxPayload = (int)Math.Min(int.MaxValue, (options.Value.MaxEventBytes * 6L) + 4096);
        _subscriptions = new RedisSubscriptions(_connection, _sharded, channel => _presence!.Changed(channel), logger, metrics, maxPayload, _prefix);
        _presence = new RedisPresence(_subscriptions.Listeners.Count, () => _subscriptions.Listeners.Channels, _prefix);
    }

    public string Description => _sharded
        ? $"Redis at {_connection.Endpoint} (sharded pub/sub: one SSUBSCRIBE per channel per process)"
        : $"Redis at {_connection.Endpoint} (one subscription per channel per process)";

    /// <summary>How long Redis may take to answer the health check's PING before it counts as not answering.</summary>
    internal static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    public async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        if (_connection.Problem is { } problem)
        {
            return problem;
        }

        if (await _connection.MultiplexerAsync() is not { IsConnected: true } redis)
        {
            return $"Redis at {_connection.Endpoint} is not connected.";
        }

        try
        {
            // Connected is not answering: a frozen Redis (SIGSTOP, a stalled host) keeps its TCP connection.
            await redis.GetDatabase().PingAsync().WaitAsync(PingTimeout, cancellationToken);
            return null;
        }
        catch (TimeoutException)
        {
            return $"Redis at {_connection.Endpoint} did not answer a PING within {PingTimeout.TotalSeconds} s.";
        }
        catch (Exception e) when (e is RedisException or ObjectDisposedException)
        {
            return $"Redis at {_connection.Endpoint} failed a PING ({e.Message}).";
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _connection.Start();
        _presenceLoop = _presence.RunAsync(
            async () => await _connection.MultiplexerAsync() is { IsConnected: true } redis ? redis.GetDatabase() : null,
            e => RedisLog.PresenceFailed(_logger, e),
            _stopping.Token);
        return Task.CompletedTask;
    }

    public async Task<long> PublishAsync(string channel, SseMessage message, CancellationToken cancellationToken)
    {
        var payload = _historyLength > 0 ? [] : RedisProtocol.Write(message);
        var redis = await _connection.ConnectedAsync(cancellationToken);
        var receivers = await AskAsync(
            () => _historyLength > 0
                ? RedisHistory.PublishAsync(redis.GetDatabase(), channel, message, _historyLength, _connection.IsCluster(redis), _sharded, _prefix)
                : redis.GetSubscriber().PublishAsync(_subscriptions.ChannelOf(channel), payload),
            $"Could not publish to channel '{SseChannelName.Display(channel)}'",
            cancellationToken);
        _metrics?.EventPublished();
        return receivers;
    }

    public async Task<ISseSubscription> SubscribeAsync(IReadOnlyList<string> channels, ISseListener listener, string? lastEventId, CancellationToken cancellationToken)
    {
        var redis = await _connection.ConnectedAsync(cancellationToken);
        var subscription = new Subscription(_subscriptions, channels, listener);
        try
        {
            // Positions are read before SUBSCRIBE: the client is never told one whose events are still in flight.
            var before = _historyLength > 0 ? await AskAsync(() => RedisHistory.ReadPositionsAsync(redis.GetDatabase(), [.. channels.Select(channel => _prefix + channel)]), ReadFailed, cancellationToken) : null;
            foreach (var channel in channels)
            {
                await _subscriptions.AddAsync(redis, channel, listener, cancellationToken);
                subscription.Subscribed++;
            }

            if (before is not null)
            {
                // Read after SUBSCRIBE: an event published meanwhile arrives both ways (SseResume skips the live copy).
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

    /// <summary>Reads the replay, bounded by what a stream may hold; a client that resumes waits for one of the replay slots.</summary>
    private async Task<SseReplay> ReadReplayAsync(IConnectionMultiplexer redis, IReadOnlyList<string> channels, string? lastEventId, HistoryPosition[] before, CancellationToken cancellationToken)
    {
        Task<SseReplay> Read() => AskAsync(
            () => RedisHistory.ReadAsync(redis.GetDatabase(), channels, lastEventId, before, _replayBudget.Events, _replayBudget.Bytes, (channel, error) => RedisLog.InvalidPayload(_logger, channel, error, "(history entry)"), _prefix),
            ReadFailed,
            cancellationToken);

        if (lastEventId is null)
        {
            return await Read(); // only the events published while subscribing: no replay asked for
        }

        if (!_replays.Wait(0, CancellationToken.None))
        {
            _metrics?.ReplayWaiting(1);
            try
            {
                await _replays.WaitAsync(cancellationToken);
            }
            finally
            {
                _metrics?.ReplayWaiting(-1);
            }
        }

        try
        {
            return await Read();
        }
        finally
        {
            _replays.Release();
        }
    }

    public Task<IReadOnlyList<SseBrokerEndpoint>> EndpointsAsync() => _connection.EndpointsAsync();

    public async Task<long> CountSubscribersAsync(string channel, CancellationToken cancellationToken)
    {
        var redis = await _connection.ConnectedAsync(cancellationToken);
        return await AskAsync(() => _presence.CountAsync(redis.GetDatabase(), channel), $"Could not count the subscribers of channel '{SseChannelName.Display(channel)}'", cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Streams may still be ending: from now on they only drop their local listeners.
        await _subscriptions.CloseAsync(unsubscribe: !_connection.Owned);
        await _stopping.CancelAsync();
        await _presenceLoop;
        if (await _connection.MultiplexerAsync() is { IsConnected: true } redis)
        {
            try
            {
                // A clean stop leaves no count behind; after a crash the entries expire by themselves.
                await _presence.ForgetAsync(redis.GetDatabase()).WaitAsync(TimeSpan.FromSeconds(1));
            }
            catch (Exception e) when (RedisConnection.IsFailure(e))
            {
                RedisLog.PresenceFailed(_logger, e);
            }
        }

        await _connection.DisposeAsync();
        _stopping.Dispose();
    }

    /// <summary>Runs a Redis command; a failure is an <see cref="SseBrokerException"/> that starts with <paramref name="failed"/>.</summary>
    private async Task<T> AskAsync<T>(Func<Task<T>> command, string failed, CancellationToken cancellationToken)
    {
        try
        {
            return await command().WaitAsync(cancellationToken);
        }
        catch (Exception e) when (RedisConnection.IsFailure(e))
        {
            throw new SseBrokerException($"{failed}: Redis at {_connection.Endpoint} did not answer ({e.Message}).", e);
        }
    }

    private void InteractiveRestored()
    {
        // Counted once per reconnect: the subscription connection comes back with it.
        _metrics?.RedisReconnected();
        // A Redis that restarted without persistence lost every count: write them again now.
        _presence.RewriteAll();
    }

    private void SubscriptionRestored(IConnectionMultiplexer redis, System.Net.EndPoint? endPoint)
        => _subscriptions.TellOfGap(redis, endPoint, _connection.IsCluster(redis));

    /// <summary>A stream's subscription: its first <see cref="Subscribed"/> channels have its listener (all, once made).</summary>
    private sealed class Subscription(RedisSubscriptions subscriptions, IReadOnlyList<string> channels, ISseListener listener) : ISseSubscription
    {
        private int _disposed;

        public int Subscribed { get; set; }

        public SseReplay Replay { get; set; } = SseReplay.None;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            for (var i = 0; i < Subscribed; i++)
            {
                await subscriptions.RemoveAsync(channels[i], listener);
            }
        }
    }
}
