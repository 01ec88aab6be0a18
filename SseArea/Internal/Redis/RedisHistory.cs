using SseArea.Internal.Fanout;
using SseArea.Internal.Wire;
using StackExchange.Redis;

namespace SseArea.Internal.Redis;

/// <summary>
/// The Redis side of replay: one capped Redis Stream per channel (<see cref="RedisKeys.History"/>), appended and
/// published by one Lua script so that history order is delivery order.
/// </summary>
/// <remarks>
/// An event without an id gets the entry id (<c>1700000000000-0</c>) in its payload's <c>"id"</c>, kept as the text
/// before and after it; an event with its publisher's id is kept whole, with that id as its key. On a single Redis,
/// entries are numbered by <see cref="RedisKeys.Sequence"/>, which orders a replay across channels exactly; on a
/// cluster that key is in another slot, so a replay across channels is ordered by entry id (each shard's clock).
/// </remarks>
internal static class RedisHistory
{
    /// <summary>How long a channel's history outlives its last publish (a client reconnecting later gets sse-missed).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    /// <summary>
    /// Appends the event to the channel's history and publishes it, under <paramref name="prefix"/> + <paramref name="channel"/> (with SPUBLISH when <paramref name="sharded"/>);
    /// returns the receivers count. On a <paramref name="cluster"/> the cross-channel sequence is left out.
    /// </summary>
    /// <exception cref="ArgumentException">Sharded, and the channel's name keeps its history out of its slot.</exception>
    public static async Task<long> PublishAsync(IDatabaseAsync database, string channel, SseMessage message, int historyLength, bool cluster = false, bool sharded = false, string prefix = "")
    {
        channel = prefix + channel;
        if (sharded && !RedisKeys.SharesSlotWithChannel(channel))
        {
            // SPUBLISH in the script must name a channel of the script's slot (published outside it, history and
            // delivery order could differ). Refused on any Redis, so that it shows before a cluster.
            throw new ArgumentException(
                $"Channel '{SseChannelName.Display(channel)}' can not be published with history over sharded pub/sub: the part of its name Redis hashes ('{SseChannelName.Display(RedisKeys.HashPart(channel))}') holds '}}', so no key of its history can share its slot. Rename the channel (no '}}' outside one '{{...}}' hash tag), or turn Sse:Redis:ShardedPubSub or Sse:HistoryLength off.",
                nameof(channel));
        }

        RedisValue head, tail = RedisValue.EmptyString, explicitId = RedisValue.EmptyString;
        if (string.IsNullOrEmpty(message.Id))
        {
            (head, tail) = RedisProtocol.WriteAroundId(message);
        }
        else
        {
            head = RedisProtocol.Write(message);
            explicitId = message.Id;
        }

        var result = (RedisResult[])(await database.ScriptEvaluateAsync(
            RedisHistoryScripts.Publish,
            cluster ? [RedisKeys.History(channel), RedisKeys.Ids(channel)] : [RedisKeys.History(channel), RedisKeys.Ids(channel), RedisKeys.SequenceOf(prefix)],
            [channel, historyLength, head, tail, explicitId, (long)Lifetime.TotalMilliseconds, sharded ? "SPUBLISH" : "PUBLISH"]))!;
        return (long)result[1];
    }

    /// <summary>Each channel's newest entry, read before SUBSCRIBE: where a stream starts; newer replayed entries may also arrive live.</summary>
    public static async Task<HistoryPosition[]> ReadPositionsAsync(IDatabase database, IReadOnlyList<string> channels)
    {
        var reads = new Task<RedisResult>[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            reads[i] = database.ScriptEvaluateAsync(RedisHistoryScripts.Newest, [RedisKeys.History(channels[i])]);
        }

        await Task.WhenAll(reads);
        var positions = new HistoryPosition[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            var result = (RedisResult[])(await reads[i])!;
            var entry = (string?)result[0];
            positions[i] = string.IsNullOrEmpty(entry) ? default : new HistoryPosition(entry, (string?)result[1]);
        }

        return positions;
    }

    /// <summary>
    /// Reads, after SUBSCRIBE, what a client that saw <paramref name="lastEventId"/> missed (<see langword="null"/>:
    /// it starts at <paramref name="before"/>). Entries newer than <paramref name="before"/> are replayed too and marked
    /// overlapping (their live copies may be in flight); each cursor is where the client stands before the replay.
    /// </summary>
    /// <remarks>
    /// <paramref name="prefix"/> (<c>Sse:Redis:ChannelPrefix</c>) names the keys; frames and cursors keep the channels' own names.
    /// Channels are read one after another, each with what is left of <paramref name="maxEvents"/> and
    /// <paramref name="maxBytes"/> (payload bytes): a channel whose replay would not fit is read no further and is
    /// missed, at its position from before SUBSCRIBE, so Redis never sends more than the stream may hold.
    /// </remarks>
    public static async Task<SseReplay> ReadAsync(IDatabase database, IReadOnlyList<string> channels, string? lastEventId, IReadOnlyList<HistoryPosition> before, int maxEvents, long maxBytes, Action<string, string> invalidPayload, string prefix = "")
    {
        var wanted = lastEventId is null ? null : SseCursor.Decode(lastEventId, channels.Count);
        var cursor = new Dictionary<string, string?>(StringComparer.Ordinal);
        var missed = new List<string>();
        var entries = new List<(long Sequence, SseEntryId EntryId, int Channel, SseFrame Frame, bool Overlaps)>();
        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            var from = before[i].EntryId ?? string.Empty;
            RedisValue[] args = lastEventId is null || wanted?[i] == SseCursor.Live ? [string.Empty, "from", string.Empty, from]
                : wanted is null ? ["\u0001unknown", "read", string.Empty, from] // matches no entry: every channel is missed
                : [wanted[i] ?? string.Empty, "read", SseEntryId.TryParse(wanted[i], out _) ? "entry" : string.Empty, from];
            var result = (RedisResult[])(await database.ScriptEvaluateAsync(
                RedisHistoryScripts.Replay,
                [RedisKeys.History(prefix + channel), RedisKeys.Ids(prefix + channel)],
                [.. args, Math.Max(0, maxEvents), Math.Max(0, maxBytes)]))!;
            var status = (string?)result[0];
            if (status is "missed" or "over")
            {
                missed.Add(channel);
                cursor[channel] = before[i].Key;
            }
            else
            {
                cursor[channel] = lastEventId is null || wanted![i] == SseCursor.Live ? before[i].Key : wanted[i];
            }

            foreach (var entry in (RedisResult[])result[1]!)
            {
                var fields = (RedisResult[])entry!;
                maxEvents--;
                maxBytes -= PayloadBytes(fields);
                if (ReadEntry(channel, fields, invalidPayload) is { } read)
                {
                    entries.Add((read.Sequence, Entry(read.EntryId), i, read.Frame, IsAfter(read.EntryId, before[i].EntryId)));
                }
            }
        }

        // A single Redis numbers entries at publication: merged by that number. On a cluster (numbers 0): by the
        // entry id's time (the shards' clocks, as live delivery is), then by the order the request names the channels,
        // and only then by the entry's sequence, which counts within its own stream (b's "T-0" is not before a's "T-1").
        entries.Sort((a, b) => (a.Sequence, a.EntryId.Milliseconds, a.Channel, a.EntryId.Sequence).CompareTo((b.Sequence, b.EntryId.Milliseconds, b.Channel, b.EntryId.Sequence)));
        return new SseReplay(
            entries.ConvertAll(e => e.Frame),
            missed,
            cursor,
            overlap: entries.Where(e => e.Overlaps).Select(e => e.Frame).ToList());
    }

    /// <summary>The bytes of an entry's field values, as the replay script counts them.</summary>
    private static long PayloadBytes(RedisResult[] entry)
    {
        long bytes = 0;
        var fields = (RedisResult[])entry[1]!;
        for (var i = 1; i < fields.Length; i += 2)
        {
            bytes += ((byte[]?)fields[i])?.Length ?? 0;
        }

        return bytes;
    }

    /// <summary>Whether stream entry id <paramref name="id"/> comes after <paramref name="bound"/> (none: every id does).</summary>
    private static bool IsAfter(string id, string? bound)
        => bound is null || Entry(id).CompareTo(Entry(bound)) > 0;

    /// <summary>An entry id as Redis wrote it (always well formed).</summary>
    private static SseEntryId Entry(string id) => SseEntryId.TryParse(id, out var entry) ? entry : throw new FormatException($"'{id}' is not a Redis stream entry id.");

    private static (long Sequence, SseFrame Frame, string EntryId)? ReadEntry(string channel, RedisResult[] entry, Action<string, string> invalidPayload)
    {
        var id = (string)entry[0]!;
        var fields = (RedisResult[])entry[1]!;
        byte[]? payload = null, head = null, tail = null;
        long sequence = 0;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            // The payload stays in UTF-8 as Redis sent it: no UTF-16 copy of events up to Sse:MaxEventBytes.
            switch ((string?)fields[i])
            {
                case "p": payload = (byte[]?)fields[i + 1]; break;
                case "h": head = (byte[]?)fields[i + 1]; break;
                case "t": tail = (byte[]?)fields[i + 1]; break;
                case "n": sequence = (long)fields[i + 1]; break;
            }
        }

        payload ??= [.. head ?? [], .. System.Text.Encoding.ASCII.GetBytes(id), .. tail ?? []];
        if (!RedisProtocol.TryRead(payload, out var message, out var error))
        {
            invalidPayload(channel, error);
            return null;
        }

        return (sequence, SseWriter.Event(message, channel), id);
    }
}

/// <summary>A channel's newest history entry: its stream entry id and its key (the event's id); both null when empty.</summary>
internal readonly record struct HistoryPosition(string? EntryId, string? Key);
