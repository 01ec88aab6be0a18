using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;

namespace SseArea.Tests.Unit;

/// <summary>A listener that keeps every frame handed to it, or refuses them all.</summary>
internal sealed class RecordingListener(bool accepts = true) : ISseListener
{
    public List<ReadOnlyMemory<byte>> Frames { get; } = [];

    public IEnumerable<string> Texts => Frames.Select(f => System.Text.Encoding.UTF8.GetString(f.Span));

    public bool TryWrite(SseFrame frame)
    {
        if (!accepts)
        {
            return false;
        }

        Frames.Add(frame.Bytes);
        return true;
    }
}
