namespace SseArea;

/// <summary>Options of the Sse area, bound from the configuration section <c>Sse</c> and validated at startup.</summary>
public sealed class SseOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Sse";

    /// <summary>
    /// The Redis broker's settings (section <c>Sse:Redis</c>). None set and no <c>SSE_REDIS_URL</c>/<c>REDIS_URL</c>:
    /// the in-memory broker (one process only).
    /// </summary>
    public SseRedisOptions Redis { get; } = new();

    /// <summary>The channel used when a stream request or a publish names none. Default <c>"sse"</c>, as in Flask-SSE.</summary>
    public string DefaultChannel { get; set; } = "sse";

    /// <summary>The URL path of the stream endpoint, without leading or trailing slash. Default <c>"sse/stream"</c>.</summary>
    public string RoutePrefix { get; set; } = SseAreaNames.DefaultRoutePrefix;

    /// <summary>
    /// When set, every stream starts with a <c>retry:</c> field telling browsers how long to wait before they reconnect.
    /// Default: not sent (browsers use their own, about 3 s).
    /// </summary>
    public TimeSpan? RetryInterval { get; set; }

    /// <summary>The longest channel name accepted, in UTF-16 characters. Default 256.</summary>
    public int MaxChannelNameLength { get; set; } = 256;

    /// <summary>How many channels one stream may follow (<c>?channel=a&amp;channel=b</c>). Default 16.</summary>
    public int MaxChannelsPerConnection { get; set; } = 16;

    /// <summary>
    /// How many events may wait for one slow client; further behind, its stream is closed (the browser reconnects)
    /// instead of letting the server's memory grow. A longer replay is sent as <c>sse-missed</c>. Default 1024.
    /// </summary>
    public int MaxQueuedEventsPerConnection { get; set; } = 1024;

    /// <summary>
    /// How many bytes may wait for one slow client: its queued events plus what was written to its connection and not yet
    /// taken (beyond what the kernel's socket buffers hold). Further behind, its stream is closed as for
    /// <see cref="MaxQueuedEventsPerConnection"/>, and a longer replay is sent as <c>sse-missed</c>. At least
    /// <see cref="MaxEventBytes"/>. Default 2 MiB.
    /// </summary>
    public long MaxBufferedBytesPerConnection { get; set; } = 2 * 1024 * 1024;

    /// <summary>
    /// The largest event data, in UTF-8 bytes: a larger publish throws <see cref="ArgumentException"/>, and a larger payload
    /// arriving from Redis (another publisher) is skipped with a warning. Default 1 MiB.
    /// </summary>
    public int MaxEventBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a stream may stay silent before a <c>:heartbeat</c> comment is sent (by a shared tick: after 1 to 1.25
    /// intervals of silence), so proxies keep it open and a vanished client is noticed by the write. <see cref="TimeSpan.Zero"/> turns heartbeats off. Default 15 s
    /// (<c>"Sse:HeartbeatInterval": "00:00:15"</c>).
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How many events the broker keeps per channel so that a client reconnecting with <c>Last-Event-ID</c> gets the
    /// ones it missed. When above 0, every event carries an id and each stream first writes its position (the
    /// <c>sse-position</c> event); on Redis it needs Redis 7, and a channel's history expires a day after its last publish.
    /// Default 0 (off: events go out exactly as Flask-SSE writes them).
    /// </summary>
    public int HistoryLength { get; set; }

    /// <summary>
    /// How many replays (streams resuming with <c>Last-Event-ID</c>) this process reads from Redis at once; more wait
    /// their turn, so that reconnecting clients can not keep Redis busy (each replay is bounded by
    /// <see cref="MaxQueuedEventsPerConnection"/> and <see cref="MaxBufferedBytesPerConnection"/> too). The in-memory
    /// broker replays from the process's own memory and is not limited. Default 8.
    /// </summary>
    public int MaxConcurrentReplays { get; set; } = 8;

    /// <summary>
    /// How long a stream that needed an access rule or an authorization policy stays open before it ends by itself, so
    /// that the browser reconnects and its access is checked again (a user who signed out, lost a role or whose cookie
    /// expired then gets 403). It also ends when the user's authentication ticket expires, if sooner. With history on, the
    /// reconnect resumes from <c>Last-Event-ID</c>. <see cref="TimeSpan.Zero"/> turns it off. Default 5 minutes.
    /// </summary>
    public TimeSpan AccessRecheckInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The most streams this process holds at once; beyond it a stream request gets <c>503</c> with a problem body and
    /// <c>Retry-After</c> (the <c>&lt;sse-stream&gt;</c> element retries with backoff). Default <see langword="null"/>:
    /// no cap of SseArea's own (bound streams per client with ASP.NET Core's rate limiter; see docs/security.md).
    /// </summary>
    public int? MaxStreams { get; set; }

    /// <summary>
    /// Whether a web application must map the stream endpoint: when <see langword="true"/> (the default), an application
    /// with routing that maps neither controllers nor <c>app.MapSse()</c> fails at startup, saying what to call. Set
    /// <see langword="false"/> in an application that only publishes (its streams are served by another).
    /// </summary>
    public bool RequireStreamEndpoint { get; set; } = true;
}
