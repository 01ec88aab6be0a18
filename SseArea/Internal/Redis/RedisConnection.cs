using System.Net;
using Microsoft.Extensions.Logging;
using SseArea.Internal.Fanout;
using StackExchange.Redis;

namespace SseArea.Internal.Redis;

/// <summary>The broker's one Redis multiplexer (its own or the application's): connected in the background, its failures logged.</summary>
internal sealed class RedisConnection : IAsyncDisposable
{
    private readonly Func<Task<IConnectionMultiplexer>> _connect;
    private readonly bool _owned;
    private readonly ILogger _logger;
    private readonly Action _interactiveRestored;
    private readonly Action<IConnectionMultiplexer, EndPoint?> _subscriptionRestored;
    private readonly Lock _lock = new();
    private Task<IConnectionMultiplexer>? _connecting;
    private readonly bool _sharded;
    private IConnectionMultiplexer? _redis;
    private bool? _cluster; // null until a server answered

    public RedisConnection(SseRedisOptions options, ILogger logger, Action interactiveRestored, Action<IConnectionMultiplexer, EndPoint?> subscriptionRestored)
    {
        _sharded = options.ShardedPubSub;
        _logger = logger;
        _interactiveRestored = interactiveRestored;
        _subscriptionRestored = subscriptionRestored;
        if (options.ConnectionFactory is { } factory)
        {
            _connect = factory;
            Endpoint = "the application's Redis connection";
        }
        else
        {
            var configuration = options.Configuration?.Clone() ?? options.ParsedUrl?.Clone()
                ?? throw new InvalidOperationException($"No Redis is configured ({options.UrlSource}): {options.UrlError ?? "empty"}.");

            // Keep retrying in the background when Redis is down, and fail commands at once meanwhile:
            // a publish that can not reach Redis throws instead of waiting in a backlog.
            configuration.AbortOnConnectFail = false;
            configuration.BacklogPolicy = BacklogPolicy.FailFast;
            configuration.ClientName ??= "SseArea";
            Endpoint = RedisUrl.DescribeEndPoints(configuration);
            _connect = async () => await ConnectionMultiplexer.ConnectAsync(configuration);
            _owned = true;
        }
    }

    /// <summary>The Redis endpoints, for messages (never a password).</summary>
    public string Endpoint { get; private set; }

    /// <summary>Whether SseArea made the connection (and closes it), rather than the application.</summary>
    public bool Owned => _owned;

    /// <summary><see langword="null"/> while connected; otherwise what is wrong, for the health check.</summary>
    public string? Problem => _connecting is { IsCompletedSuccessfully: true } connecting && connecting.Result.IsConnected
        ? null
        : $"Redis at {Endpoint} is not connected.";

    /// <summary>The longest a SUBSCRIBE/UNSUBSCRIBE may take: one never completing (seen in CLIENT PAUSE) must not block later ones.</summary>
    public TimeSpan SubscriptionTimeout { get; private set; } = TimeSpan.FromSeconds(10);

    public void Start() => _ = Connection();

    /// <summary>The multiplexer once made (connected or not); <see langword="null"/> when it could not be made.</summary>
    public async Task<IConnectionMultiplexer?> MultiplexerAsync()
    {
        try
        {
            return await Connection();
        }
        catch (Exception e) when (IsFailure(e))
        {
            return null;
        }
    }

    /// <exception cref="SseBrokerException">Redis is unreachable now.</exception>
    public async Task<IConnectionMultiplexer> ConnectedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var redis = await Connection().WaitAsync(cancellationToken);
            return redis.IsConnected ? redis : throw new SseBrokerException($"Redis at {Endpoint} is unreachable; the connection is being retried.");
        }
        catch (Exception e) when (IsFailure(e))
        {
            throw new SseBrokerException($"Redis at {Endpoint} could not be reached ({e.Message}).", e);
        }
    }

    /// <summary>Whether the connected Redis is a cluster (no key shared across channels); known once a server answered.</summary>
    /// <summary>Each Redis master (a single Redis: itself) and whether this process is connected to it.</summary>
    public async Task<IReadOnlyList<SseBrokerEndpoint>> EndpointsAsync()
        => await MultiplexerAsync() is { } redis
            ? [.. redis.GetServers().Where(server => !server.IsReplica).Select(server => new SseBrokerEndpoint(server.EndPoint.ToString() ?? Endpoint, server.IsConnected))]
            : [new SseBrokerEndpoint(Endpoint, Connected: false)];

    public bool IsCluster(IConnectionMultiplexer redis)
        => (_cluster ??= redis.GetServers().FirstOrDefault(server => server.IsConnected) is { } server ? server.ServerType == ServerType.Cluster : null) == true;

    /// <summary>The ways a Redis command fails: an error, a timeout, or a multiplexer already closed.</summary>
    public static bool IsFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    public async ValueTask DisposeAsync()
    {
        if (_connecting is null || await MultiplexerAsync() is not { } redis)
        {
            return;
        }

        redis.ConnectionFailed -= OnConnectionFailed;
        redis.ConnectionRestored -= OnConnectionRestored;
        if (_owned)
        {
            await redis.DisposeAsync();
        }
    }

    /// <summary>The multiplexer being made or made; one that could not be made (the application's factory threw) is made again.</summary>
    private Task<IConnectionMultiplexer> Connection()
    {
        lock (_lock)
        {
            return _connecting is { IsFaulted: false } connecting ? connecting : _connecting = ConnectAsync();
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        var redis = await _connect();
        SubscriptionTimeout = TimeSpan.FromMilliseconds(2.0 * Math.Max(redis.TimeoutMilliseconds, 100));
        if (!_owned)
        {
            Endpoint = string.Join(",", redis.GetEndPoints().Select(e => e.ToString()));
        }

        _redis = redis;
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
        if (!redis.IsConnected)
        {
            RedisLog.NotConnected(_logger, Endpoint);
            return redis;
        }

        RedisLog.Connected(_logger, Endpoint);
        if (IsCluster(redis))
        {
            RedisLog.ClusterRecognised(
                _logger,
                Endpoint,
                redis.GetServers().Count(s => s.ServerType == ServerType.Cluster && !s.IsReplica),
                _sharded ? "sharded pub/sub (SSUBSCRIBE/SPUBLISH on the shard of each channel's slot)"
                    : "PUBLISH, broadcast to every node (Sse:Redis:ShardedPubSub keeps each channel on its shard)");
        }

        return redis;
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
        => RedisLog.ConnectionFailed(_logger, e.EndPoint?.ToString() ?? Endpoint, e.FailureType.ToString(), e.Exception);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        RedisLog.ConnectionRestored(_logger, e.EndPoint?.ToString() ?? Endpoint);
        if (e.ConnectionType == ConnectionType.Interactive)
        {
            _interactiveRestored();
        }
        else if (e.ConnectionType == ConnectionType.Subscription && _redis is { } redis)
        {
            _subscriptionRestored(redis, e.EndPoint);
        }
    }
}
