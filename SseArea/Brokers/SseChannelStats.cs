using Microsoft.Extensions.Options;
using SseArea.Streaming;

namespace SseArea.Brokers;

/// <summary>Answers subscriber counts from the broker.</summary>
internal sealed class SseChannelStats(ISseBroker broker, IOptions<SseOptions> options) : ISseChannelStats
{
    public Task<long> CountSubscribersAsync(string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (SseChannelName.Check(channel, options.Value.MaxChannelNameLength) is { } reason)
        {
            throw new ArgumentException($"Invalid channel '{SseChannelName.Display(channel)}': {reason}", nameof(channel));
        }

        return broker.CountSubscribersAsync(channel, cancellationToken);
    }
}
