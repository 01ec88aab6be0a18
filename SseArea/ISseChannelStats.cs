namespace SseArea;

/// <summary>
/// How many clients follow a channel: on the Redis broker across every server that shares the Redis,
/// on the in-memory broker in this process. Inject it anywhere, e.g. to publish
/// <c>{"active_users": n}</c> on an analytics channel.
/// </summary>
public interface ISseChannelStats
{
    /// <summary>
    /// The number of open streams that follow <paramref name="channel"/> (a stream following several
    /// channels counts once for each). Servers report their counts to Redis when they change and
    /// every few seconds; a server that stops reporting (crashed) drops out within
    /// <see cref="SseChannelStatsDefaults.ServerEntryLifetime"/>.
    /// </summary>
    /// <param name="channel">The channel name.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="SseBrokerException">Redis could not be asked.</exception>
    Task<long> CountSubscribersAsync(string channel, CancellationToken cancellationToken = default);
}

/// <summary>Timings of the cluster-wide subscriber counts kept in Redis.</summary>
public static class SseChannelStatsDefaults
{
    /// <summary>How often each server rewrites its counts, even when nothing changed.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long a server's count stays valid without a refresh (three refresh intervals).</summary>
    public static readonly TimeSpan ServerEntryLifetime = TimeSpan.FromSeconds(30);
}
