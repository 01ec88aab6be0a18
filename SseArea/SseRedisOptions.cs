using StackExchange.Redis;

namespace SseArea;

/// <summary>
/// The Redis broker's settings (section <c>Sse:Redis</c>). Redis is used when one of <see cref="ConnectionFactory"/>,
/// <see cref="Configuration"/> or <see cref="Url"/> is set, or else the key <c>SSE_REDIS_URL</c> or <c>REDIS_URL</c>
/// (Flask-SSE's) holds a URL; otherwise the in-memory broker serves this process alone.
/// </summary>
public sealed class SseRedisOptions
{
    /// <summary>
    /// The Redis server (<c>Sse:Redis:Url</c>): <c>redis://[[user]:password@]host[:port][/db]</c>, <c>rediss://...</c>
    /// (TLS), or a StackExchange.Redis configuration string such as <c>host:6379,password=...</c>. For Redis Cluster,
    /// name several seed nodes separated by commas (<c>redis://:password@10.0.0.1:7000,10.0.0.2:7000</c>).
    /// A malformed value stops the application at startup with an error naming the setting.
    /// </summary>
    public string? Url { get; set; }

    /// <summary>
    /// StackExchange.Redis options, set in code instead of <see cref="Url"/>. SseArea connects with a copy whose
    /// <c>AbortOnConnectFail</c> is <see langword="false"/> (the application starts while Redis is down) and whose
    /// <c>BacklogPolicy</c> is fail-fast (a publish while Redis is unreachable throws at once).
    /// </summary>
    public ConfigurationOptions? Configuration { get; set; }

    /// <summary>
    /// Hands SseArea a connection of the application's own (e.g. <c>() =&gt; Task.FromResult(existing)</c>), which it
    /// never disposes. Its settings are the application's: with the default <c>BacklogPolicy</c>, a publish while
    /// Redis is unreachable waits in the backlog until its timeout before it throws.
    /// </summary>
    public Func<Task<IConnectionMultiplexer>>? ConnectionFactory { get; set; }

    /// <summary>
    /// Use sharded pub/sub (<c>SSUBSCRIBE</c>/<c>SPUBLISH</c>, Redis 7): on Redis Cluster each channel's events then
    /// travel only through the shard that owns its slot instead of every node. Other publishers on the same Redis
    /// (a Flask-SSE app) must then use <c>SPUBLISH</c> too. Default <see langword="false"/>.
    /// </summary>
    public bool ShardedPubSub { get; set; }

    /// <summary>
    /// Put before every channel's name on Redis (<c>Sse:Redis:ChannelPrefix</c>, e.g. <c>myapp:</c>): the pub/sub channel
    /// and the keys of channel <c>news</c> are then those of <c>myapp:news</c>, so applications sharing a Redis do not see
    /// each other's events. Streams, publishes and ids keep the plain name. Another publisher (a Flask-SSE app) then
    /// publishes to the prefixed name. Up to 64 characters, no braces, not starting with <c>__</c>. Default
    /// <see langword="null"/>: names as they are, exactly as Flask-SSE's.
    /// </summary>
    public string? ChannelPrefix { get; set; }

    /// <summary>The setting the effective <see cref="Url"/> came from, for messages; set at startup.</summary>
    internal string UrlSource { get; set; } = "SseOptions.Redis.Url";

    /// <summary><see cref="Url"/> read once at startup; <see langword="null"/> when there is none or it is malformed.</summary>
    internal ConfigurationOptions? ParsedUrl { get; set; }

    /// <summary>Why <see cref="Url"/> could not be read, password masked; <see langword="null"/> when it could.</summary>
    internal string? UrlError { get; set; }

    /// <summary>Whether Redis is the broker.</summary>
    internal bool IsConfigured => ConnectionFactory is not null || Configuration is not null || !string.IsNullOrWhiteSpace(Url);
}
