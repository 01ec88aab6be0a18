using System.Buffers;
using System.Runtime.InteropServices;
using SseArea.Internal.Wire;

namespace SseArea.Internal.Fanout;

/// <summary>
/// One stream's resume state, made from its subscription's replay: writes what comes before live events
/// (the <c>sse-missed</c> notice or the client's position, then the missed events), recognises live events
/// the client already has, and, on a stream of several channels with history on, writes the stream's own
/// <c>id:</c> (<see cref="SseCursor"/>) around each shared frame. Used by the stream's pump only.
/// </summary>
internal sealed class SseResume
{
    private readonly string[] _channels;
    private readonly SseChannelLabels? _labels;
    private SseReplay? _replay;
    private string?[]? _cursor;
    private Dictionary<string, List<SseFrame>>? _overlap;
    private Dictionary<string, SseEntryId>? _floors;

    private SseResume(SseReplay replay, IReadOnlyList<string> channels, SseChannelLabels? labels)
    {
        _replay = replay;
        _channels = [.. channels];
        _labels = labels;
    }

    /// <summary>The state a stream on <paramref name="channels"/> needs for <paramref name="replay"/>; <see langword="null"/> when none (history off).</summary>
    public static SseResume? For(SseReplay replay, IReadOnlyList<string> channels, SseChannelLabels? labels = null)
        => replay.Cursor is null && replay.Frames.Count == 0 && replay.MissedChannels.Count == 0 ? null : new SseResume(replay, channels, labels);

    /// <summary>Whether the stream writes its own id around each frame (several channels, history on).</summary>
    public bool WritesOwnIds => _cursor is not null;

    /// <summary><see langword="true"/> once nothing is left to write, recognise or rewrite.</summary>
    public bool IsDone => _replay is null && _cursor is null && _overlap is null && _floors is null;

    /// <summary>Writes the missed notice (or the position) and the replayed events, once; <see langword="true"/> when it wrote any.</summary>
    public bool WriteStart(IBufferWriter<byte> output)
    {
        if (_replay is not { } replay)
        {
            return false;
        }

        _replay = null;
        if (replay.Cursor is { } cursor && _channels.Length > 1)
        {
            _cursor = [.. _channels.Select(channel => cursor.GetValueOrDefault(channel))];
        }

        var wrote = false;
        var position = Position(replay);
        if (replay.MissedChannels.Count > 0)
        {
            output.Write(SseWriter.MissedNotice(replay.MissedChannels, position));
            wrote = true;
        }
        else if (position is not null)
        {
            // The client knows its position from the start: a reconnect before the first event still
            // sends Last-Event-ID and gets what was published meanwhile.
            output.Write(SseWriter.Position(position));
            wrote = true;
        }

        foreach (var frame in replay.Frames)
        {
            Write(output, frame);
            wrote = true;
        }

        RememberFloors(replay);
        foreach (var frame in replay.Overlap)
        {
            if (frame.Channel is { } channel && frame.Id is not null)
            {
                _overlap ??= new(StringComparer.Ordinal);
                ref var pending = ref CollectionsMarshal.GetValueRefOrAddDefault(_overlap, channel, out _);
                (pending ??= []).Add(frame);
            }
        }

        return wrote;
    }

    /// <summary>
    /// Whether a live frame is one the client already has: on Redis, events published between SUBSCRIBE and the
    /// history read arrive both ways, and a channel this process already followed may deliver events at or below
    /// the client's position. Live frames come in publication order, so a channel's check ends at its first newer one.
    /// </summary>
    public bool Skips(SseFrame frame)
    {
        if (_floors is not null && frame.Channel is { } floored && _floors.TryGetValue(floored, out var floor)
            && SseEntryId.TryParse(frame.Id, out var entry))
        {
            if (entry.CompareTo(floor) <= 0)
            {
                return true;
            }

            _floors.Remove(floored);
            if (_floors.Count == 0)
            {
                _floors = null;
            }
        }

        if (_overlap is null || frame.Channel is not { } channel || !_overlap.TryGetValue(channel, out var pending))
        {
            return false;
        }

        var index = pending.FindIndex(replayed => string.Equals(replayed.Id, frame.Id, StringComparison.Ordinal)
            && replayed.Bytes.Span.SequenceEqual(frame.Bytes.Span));
        if (index >= 0)
        {
            pending.RemoveRange(0, index + 1);
        }

        if (index < 0 || pending.Count == 0)
        {
            _overlap.Remove(channel);
            if (_overlap.Count == 0)
            {
                _overlap = null;
            }
        }

        return index >= 0;
    }

    /// <summary>Writes a frame (after its channel's label, if any): as it is, or, when the stream writes its own ids, around this stream's id.</summary>
    public void Write(IBufferWriter<byte> output, SseFrame frame)
    {
        if (_labels is not null)
        {
            output.Write(_labels.Of(frame));
        }

        var index = _cursor is null || frame.Channel is null || frame.Id is null ? -1 : Array.IndexOf(_channels, frame.Channel);
        if (index < 0)
        {
            output.Write(frame.Bytes.Span);
            return;
        }

        _cursor![index] = frame.Id;
        SseWriter.WriteWithId(output, frame, SseCursor.Encode(_cursor));
    }

    /// <summary>The client's position before the replay, as the <c>id:</c> to write (never empty: that clears the browser's), or null.</summary>
    private string? Position(SseReplay replay)
    {
        if (_cursor is not null)
        {
            return SseCursor.Encode(_cursor);
        }

        var channel = _channels.Length == 1 ? _channels[0] : replay.MissedChannels.Count > 0 ? replay.MissedChannels[0] : null;
        return replay.Cursor is { } cursor && channel is not null ? cursor.GetValueOrDefault(channel) ?? SseCursor.Start : null;
    }

    /// <summary>Per channel, the highest entry id the client has: live frames at or below it are skipped.</summary>
    private void RememberFloors(SseReplay replay)
    {
        var positions = (replay.Cursor ?? new Dictionary<string, string?>()).Select(p => (Channel: p.Key, Id: p.Value))
            .Concat(replay.Frames.Where(f => f.Channel is not null).Select(f => (Channel: f.Channel!, f.Id)));
        foreach (var (channel, id) in positions)
        {
            if (SseEntryId.TryParse(id, out var floor) && floor != default)
            {
                _floors ??= new(StringComparer.Ordinal);
                if (!_floors.TryGetValue(channel, out var known) || floor.CompareTo(known) > 0)
                {
                    _floors[channel] = floor;
                }
            }
        }
    }

}
