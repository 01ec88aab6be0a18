namespace SseArea;

/// <summary>
/// How many clients follow a channel: across every server that shares the Redis, or in this process in memory
/// (e.g. to publish <c>{"active_users": n}</c> on an analytics channel).
/// </summary>
public interface ISseChannelStats
{
    /// <summary>
    /// The number of open streams that follow <paramref name="channel"/>. Servers report their counts to Redis when
    /// they change and every 10 seconds; a server that stops reporting (crashed) drops out within 30 seconds.
    /// </summary>
    /// <param name="channel">The channel name.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <exception cref="SseBrokerException">Redis could not be asked.</exception>
    Task<long> CountSubscribersAsync(string channel, CancellationToken cancellationToken = default);
}
