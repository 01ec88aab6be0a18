namespace SseArea.Internal.Wire;

/// <summary>One formatted event shared by every listener, with its channel, its id and where its <c>id:</c> line sits.</summary>
internal sealed class SseFrame
{
    public SseFrame(ReadOnlyMemory<byte> bytes, string? channel = null, string? id = null, int idStart = -1, int idEnd = -1)
    {
        Bytes = bytes;
        Channel = channel;
        Id = id;
        IdStart = idStart < 0 ? bytes.Length - 1 : idStart;
        IdEnd = idEnd < 0 ? IdStart : idEnd;
    }

    /// <summary>The exact event text, ending with its blank line. Shared: never modified.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>The channel the event was published on; <see langword="null"/> for frames of no channel (a notice, a comment).</summary>
    public string? Channel { get; }

    /// <summary>The event's id (the history key when history is on), or <see langword="null"/>.</summary>
    public string? Id { get; }

    /// <summary>Where the <c>id:</c> line starts in <see cref="Bytes"/> (where it would be when there is none).</summary>
    public int IdStart { get; }

    /// <summary>Where the <c>id:</c> line ends (just after its LF).</summary>
    public int IdEnd { get; }
}
