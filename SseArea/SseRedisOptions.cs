using StackExchange.Redis;

namespace SseArea;

/// <summary>
/// The Redis broker's settings, in one place (<see cref="SseOptions.Redis"/>, configuration section
/// <c>Sse:Redis</c>). Redis is used when one of <see cref="ConnectionFactory"/>, <see cref="Configuration"/>
/// or <see cref="Url"/> is set, or, when none is, when the configuration key <c>SSE_REDIS_URL</c> or
/// <c>REDIS_URL</c> (Flask-SSE's) holds a URL; otherwise the in-memory broker serves this process alone.
/// </summary>
public sealed class SseRedisOptions
{
    /// <summary>
    /// The Redis server as a URL or connection string (<c>Sse:Redis:Url</c>): <c>redis://[[user]:password@]host[:port][/db]</c>,
    /// <c>rediss://...</c> (TLS), or a StackExchange.Redis configuration string such as <c>host:6379,password=...</c>.
    /// For Redis Cluster, name several seed nodes separated by commas in either form
    /// (<c>redis://:password@10.0.0.1:7000,10.0.0.2:7000</c>); the cluster is recognised by itself.
    /// Read once at startup; a malformed value stops the application with an error naming the setting.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>
    /// The connection settings as StackExchange.Redis options, set in code instead of <see cref="Url"/>.
    /// SseArea connects with a copy whose <c>AbortOnConnectFail</c> is <see langword="false"/> (the application
    /// starts while Redis is down) and whose <c>BacklogPolicy</c> is fail-fast (a publish while Redis is
    /// unreachable throws at once instead of waiting in a backlog).
    /// </summary>
    public ConfigurationOptions? Configuration { get; set; }

    /// <summary>
    /// Hands SseArea a connection of the application's own (e.g. <c>() =&gt; Task.FromResult(existing)</c>)
    /// instead of <see cref="Url"/> or <see cref="Configuration"/>: SseArea then opens none and never disposes
    /// it. Its settings are the application's: with the default <c>BacklogPolicy</c>, a publish while Redis is
    /// unreachable waits in StackExchange.Redis's backlog until its timeout before it throws.
    /// </summary>
    public Func<Task<IConnectionMultiplexer>>? ConnectionFactory { get; set; }

    /// <summary>
    /// Use Redis sharded pub/sub (<c>SSUBSCRIBE</c>/<c>SPUBLISH</c>, Redis 7 or later) instead of
    /// <c>SUBSCRIBE</c>/<c>PUBLISH</c>. On Redis Cluster each channel's events then travel only through the
    /// shard that owns the channel's slot, instead of being broadcast to every node. Other publishers on the
    /// same Redis (a Flask-SSE app) must then publish with <c>SPUBLISH</c> too. Default <see langword="false"/>.
    /// </summary>
    public bool ShardedPubSub { get; set; }

    /// <summary>The setting the effective <see cref="Url"/> came from, for messages; set at startup.</summary>
    internal string UrlSource { get; set; } = "SseOptions.Redis.Url";

    /// <summary><see cref="Url"/> read once at startup; <see langword="null"/> when there is none or it is malformed.</summary>
    internal ConfigurationOptions? ParsedUrl { get; set; }

    /// <summary>Why <see cref="Url"/> could not be read, password masked; <see langword="null"/> when it could.</summary>
    internal string? UrlError { get; set; }

    /// <summary>Whether Redis is the broker.</summary>
    internal bool IsConfigured => ConnectionFactory is not null || Configuration is not null || !string.IsNullOrWhiteSpace(Url);
}
