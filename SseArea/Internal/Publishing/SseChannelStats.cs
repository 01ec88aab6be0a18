using Microsoft.Extensions.Options;
using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;

namespace SseArea.Internal.Publishing;

/// <summary>Answers subscriber counts from the broker.</summary>
internal sealed class SseChannelStats(ISseBroker broker, IOptions<SseOptions> options) : ISseChannelStats
{
    public Task<long> CountSubscribersAsync(string channel, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(channel);
        SseChannelName.ThrowIfInvalid(channel, options.Value.MaxChannelNameLength, nameof(channel));
        return broker.CountSubscribersAsync(channel, cancellationToken);
    }
}
