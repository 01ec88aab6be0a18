namespace SseArea.Internal.Wire;

/// <summary>
/// On a stream of several channels, the <c>sse-channel</c> event written just before each event to name its channel
/// (data: the name; no id, so the client's position stays as it was): how a page that shares one connection among
/// several elements routes each event. A stream of one channel gets none: its bytes stay Flask-SSE's.
/// </summary>
internal sealed class SseChannelLabels
{
    private readonly Dictionary<string, byte[]> _labels;

    private SseChannelLabels(HashSet<string> channels)
        => _labels = channels.ToDictionary(channel => channel, SseWriter.ChannelLabel, StringComparer.Ordinal);

    /// <summary>The labels of a stream on <paramref name="channels"/>; <see langword="null"/> for a single channel.</summary>
    public static SseChannelLabels? For(IReadOnlyList<string> channels)
        => new HashSet<string>(channels, StringComparer.Ordinal) is { Count: > 1 } distinct ? new(distinct) : null;

    /// <summary>The label to write before <paramref name="frame"/>; empty for frames of no channel (notices, heartbeats).</summary>
    public ReadOnlySpan<byte> Of(SseFrame frame)
        => frame.Channel is { } channel && _labels.TryGetValue(channel, out var label) ? label : default;
}
