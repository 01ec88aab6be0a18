using SseArea.Publishing;
using SseArea.Streaming;
using StackExchange.Redis;

namespace SseArea.Brokers.Redis;

/// <summary>
/// The Redis side of replay: one capped Redis Stream per channel (key <see cref="RedisKeys.History"/>,
/// <c>sse:{&lt;channel&gt;}:history</c>), appended and published by one Lua script so that history
/// order is delivery order.
/// </summary>
/// <remarks>
/// An event without an id gets the stream's entry id (<c>1700000000000-0</c>); the published
/// payload is the Flask-SSE JSON with that id in its <c>"id"</c> field, kept in the stream as the
/// text before and after the id. An event with its publisher's id is kept whole, with that id as its key.
/// On a single Redis each entry also carries a number from the counter <see cref="RedisKeys.Sequence"/>,
/// which orders a replay across channels exactly; on Redis Cluster that counter would be a key in
/// another slot, so entries carry none and a replay across channels is ordered by entry id (the
/// time each shard took the event), each channel keeping its own order.
/// </remarks>
internal static class RedisHistory
{
    private const string IdPlaceholder = "SseArea.Id.Placeholder.9c41e7";

    // KEYS[1] stream, KEYS[2] (single Redis only) the sequence shared by all channels: it orders a
    // replay across channels, as entry ids of two streams can tie within a millisecond. On a cluster
    // it would be in another slot; entries then get 0.
    // ARGV: channel, max length, payload (or the text before the id), text after the id, explicit id.
    // ARGV[6]: how long the stream outlives its last publish, in milliseconds (PEXPIRE).
    // ARGV[7]: PUBLISH, or SPUBLISH (sharded pub/sub: the channel's slot must be the stream's, see RedisKeys).
    private const string PublishScript = """
        local n = 0
        if #KEYS > 1 then n = redis.call('INCR', KEYS[2]) end
        if ARGV[5] ~= '' then
          local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'n', n, 'k', ARGV[5], 'p', ARGV[3])
          redis.call('PEXPIRE', KEYS[1], ARGV[6])
          return {id, redis.call(ARGV[7], ARGV[1], ARGV[3])}
        end
        local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'n', n, 'h', ARGV[3], 't', ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
        return {id, redis.call(ARGV[7], ARGV[1], ARGV[3] .. id .. ARGV[4])}
        """;

    /// <summary>
    /// How long a channel's history outlives its last publish: a channel nobody publishes to for a
    /// day leaves nothing in Redis (a client reconnecting after that gets sse-missed).
    /// </summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    // KEYS[1] stream. Answers {entry id, key} of the newest entry, or {'', ''} when there is none.
    private const string NewestScript = """
        local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
        if #last == 0 then return {'', ''} end
        local f = last[1][2]
        for i = 1, #f, 2 do if f[i] == 'k' then return {last[1][1], f[i + 1]} end end
        return {last[1][1], last[1][1]}
        """;

    // KEYS[1] stream. ARGV[1] the last id the client has ('' none), ARGV[2] 'read' to resolve it or
    // 'from' when the client sent none, ARGV[3] 'entry' when ARGV[1] is shaped like an entry id
    // (checked in .NET: two 64-bit numbers), ARGV[4] the newest entry id before SUBSCRIBE ('' none),
    // ARGV[5] the history length (the most entries a lookup scans).
    // Answers {status, entries after the start}: 'ok' (after the client's id, or after ARGV[4] for
    // 'from'), or 'missed' (the client's events are gone: the entries after ARGV[4]).
    private const string ReplayScript = """
        local function key_of(entry)
          local f = entry[2]
          for i = 1, #f, 2 do if f[i] == 'k' then return f[i + 1] end end
          return entry[1]
        end
        local function after(id)
          if id == '' then return redis.call('XRANGE', KEYS[1], '-', '+') end
          return redis.call('XRANGE', KEYS[1], '(' .. id, '+')
        end
        if ARGV[2] == 'from' then return {'ok', after(ARGV[4])} end
        if redis.call('EXISTS', KEYS[1]) == 0 then
          if ARGV[1] == '' then return {'ok', {}} end
          return {'missed', {}}
        end
        local start
        if ARGV[1] == '' then
          local info = redis.call('XINFO', 'STREAM', KEYS[1])
          local added, length
          for i = 1, #info, 2 do
            if info[i] == 'entries-added' then added = info[i + 1] elseif info[i] == 'length' then length = info[i + 1] end
          end
          if added ~= length then return {'missed', after(ARGV[4])} end
          start = ''
        else
          if ARGV[3] == 'entry' then
            -- pcall: an id Redis can not parse (a part beyond 64 bits) is simply not an entry id.
            local e = redis.pcall('XRANGE', KEYS[1], ARGV[1], ARGV[1])
            if type(e) == 'table' and e.err == nil and #e == 1 and key_of(e[1]) == ARGV[1] then start = ARGV[1] end
          end
          if not start then
            local entries = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', ARGV[5])
            for i = 1, #entries do
              if key_of(entries[i]) == ARGV[1] then start = entries[i][1] break end
            end
          end
          if not start then return {'missed', after(ARGV[4])} end
        end
        return {'ok', after(start)}
        """;

    /// <summary>
    /// Appends the event to the channel's history and publishes it; returns the PUBLISH (or SPUBLISH) count.
    /// <paramref name="cluster"/>: Redis Cluster, where the cross-channel sequence is left out.
    /// <paramref name="sharded"/>: publish with SPUBLISH, which needs the channel in its history's slot.
    /// </summary>
    /// <exception cref="ArgumentException">Sharded, and the channel's name keeps its history out of its slot.</exception>
    public static async Task<long> PublishAsync(IDatabase database, string channel, SseMessage message, int historyLength, bool cluster = false, bool sharded = false)
    {
        if (sharded && !RedisKeys.SharesSlotWithChannel(channel))
        {
            // SPUBLISH inside the script must name a channel of the script's slot; published outside
            // it, history order and delivery order could differ. Refused, on any Redis, so that it shows before a cluster.
            throw new ArgumentException(
                $"Channel '{SseChannelName.Display(channel)}' can not be published with history over sharded pub/sub: the part of its name Redis hashes ('{SseChannelName.Display(RedisKeys.HashPart(channel))}') holds '}}', so no key of its history can share its slot. Rename the channel (no '}}' outside one '{{...}}' hash tag), or turn Sse:RedisShardedPubSub or Sse:HistoryLength off.",
                nameof(channel));
        }

        RedisValue head, tail = RedisValue.EmptyString, explicitId = RedisValue.EmptyString;
        if (string.IsNullOrEmpty(message.Id))
        {
            var payload = FlaskSsePayload.Write(message with { Id = IdPlaceholder });
            var text = System.Text.Encoding.UTF8.GetString(payload);
            var at = text.LastIndexOf(PlaceholderJson, StringComparison.Ordinal);
            head = text[..at];
            tail = text[(at + PlaceholderJson.Length)..];
        }
        else
        {
            head = FlaskSsePayload.Write(message);
            explicitId = message.Id;
        }

        var result = (RedisResult[])(await database.ScriptEvaluateAsync(
            PublishScript,
            cluster ? [RedisKeys.History(channel)] : [RedisKeys.History(channel), RedisKeys.Sequence],
            [channel, historyLength, head, tail, explicitId, (long)Lifetime.TotalMilliseconds, sharded ? "SPUBLISH" : "PUBLISH"]))!;
        return (long)result[1];
    }

    /// <summary>
    /// Where each channel's history stands (its newest entry), read before SUBSCRIBE: the position
    /// a stream starts from, and the bound past which replayed entries may also arrive live.
    /// </summary>
    public static async Task<HistoryPosition[]> ReadPositionsAsync(IDatabase database, IReadOnlyList<string> channels)
    {
        var reads = new Task<RedisResult>[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            reads[i] = database.ScriptEvaluateAsync(NewestScript, [RedisKeys.History(channels[i])]);
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
    /// Reads, after SUBSCRIBE, what a client that saw <paramref name="lastEventId"/> missed on
    /// <paramref name="channels"/> (<see langword="null"/>: nothing, and the stream starts at
    /// <paramref name="before"/>). Entries newer than <paramref name="before"/> are replayed too, as
    /// their live copies may be in flight, and marked as overlapping; each channel's cursor is where
    /// the client stands before the replay (never a position it has not been sent).
    /// </summary>
    public static async Task<SseReplay> ReadAsync(IDatabase database, IReadOnlyList<string> channels, string? lastEventId, IReadOnlyList<HistoryPosition> before, int historyLength, Action<string, string> invalidPayload)
    {
        var wanted = lastEventId is null ? null : SseCursor.Decode(lastEventId, channels.Count);
        var reads = new Task<RedisResult>[channels.Count];
        for (var i = 0; i < channels.Count; i++)
        {
            var from = before[i].EntryId ?? string.Empty;
            RedisValue[] args = lastEventId is null ? [string.Empty, "from", string.Empty, from, historyLength]
                : wanted is null ? ["\u0001unknown", "read", string.Empty, from, historyLength] // matches no entry: every channel is missed
                : [wanted[i] ?? string.Empty, "read", IsEntryId(wanted[i]) ? "entry" : string.Empty, from, historyLength];
            reads[i] = database.ScriptEvaluateAsync(ReplayScript, [RedisKeys.History(channels[i])], args);
        }

        await Task.WhenAll(reads);
        var cursor = new Dictionary<string, string?>(StringComparer.Ordinal);
        var missed = new List<string>();
        var entries = new List<(long Sequence, (ulong, ulong) EntryId, int Channel, SseFrame Frame, bool Overlaps)>();
        for (var i = 0; i < channels.Count; i++)
        {
            var channel = channels[i];
            var result = (RedisResult[])(await reads[i])!;
            if ((string?)result[0] == "missed")
            {
                missed.Add(channel);
                cursor[channel] = before[i].Key;
            }
            else
            {
                cursor[channel] = lastEventId is null ? before[i].Key : wanted![i];
            }

            foreach (var entry in (RedisResult[])result[1]!)
            {
                if (ReadEntry(channel, (RedisResult[])entry!, invalidPayload) is { } read)
                {
                    entries.Add((read.Sequence, ParseEntryId(read.EntryId), i, read.Frame, IsAfter(read.EntryId, before[i].EntryId)));
                }
            }
        }

        // On a single Redis, numbered by one counter at publication: merged by it, channels keep
        // publication order. On a cluster (numbers 0): by the entry id's time, which is the shards'
        // clocks, as live delivery over several shards is too; within one millisecond by the order the
        // request names the channels, and only then by the entry's sequence number, which counts within
        // its own stream (comparing it across streams put b's "T-0" before a's earlier "T-1").
        entries.Sort((a, b) => (a.Sequence, a.EntryId.Item1, a.Channel, a.EntryId.Item2).CompareTo((b.Sequence, b.EntryId.Item1, b.Channel, b.EntryId.Item2)));
        return new SseReplay(
            entries.ConvertAll(e => e.Frame),
            missed,
            cursor,
            overlap: entries.Where(e => e.Overlaps).Select(e => e.Frame).ToList());
    }

    /// <summary>Whether stream entry id <paramref name="id"/> comes after <paramref name="bound"/> (none: every id does).</summary>
    private static bool IsAfter(string id, string? bound)
        => bound is null || ParseEntryId(id).CompareTo(ParseEntryId(bound)) > 0;

    /// <summary>A stream entry id (as Redis wrote it) as its two numbers, which order it.</summary>
    private static (ulong, ulong) ParseEntryId(string entry)
    {
        var dash = entry.IndexOf('-', StringComparison.Ordinal);
        return (ulong.Parse(entry.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture),
            ulong.Parse(entry.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Whether <paramref name="id"/> has the shape of a stream entry id Redis can read
    /// (<c>&lt;ms&gt;-&lt;seq&gt;</c>, both 64-bit unsigned numbers); any other id is looked up as a publisher's id.
    /// </summary>
    internal static bool IsEntryId(string? id)
    {
        if (string.IsNullOrEmpty(id))
        {
            return false;
        }

        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash > 0 && IsNumber(id.AsSpan(0, dash)) && IsNumber(id.AsSpan(dash + 1));

        static bool IsNumber(ReadOnlySpan<char> text)
            => text.Length > 0 && !text.ContainsAnyExceptInRange('0', '9')
                && ulong.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _);
    }

    /// <summary>The placeholder id as the JSON writer escapes it.</summary>
    private static readonly string PlaceholderJson = EscapedPlaceholder();

    private static string EscapedPlaceholder()
    {
        var json = System.Text.Encoding.UTF8.GetString(FlaskSsePayload.Write(new SseMessage(string.Empty, id: IdPlaceholder)));
        return json[(json.IndexOf("\"id\":\"", StringComparison.Ordinal) + 6)..^2];
    }

    private static (long Sequence, SseFrame Frame, string EntryId)? ReadEntry(string channel, RedisResult[] entry, Action<string, string> invalidPayload)
    {
        var id = (string)entry[0]!;
        var fields = (RedisResult[])entry[1]!;
        string? payload = null, head = null, tail = null;
        long sequence = 0;
        for (var i = 0; i + 1 < fields.Length; i += 2)
        {
            switch ((string?)fields[i])
            {
                case "p": payload = (string?)fields[i + 1]; break;
                case "h": head = (string?)fields[i + 1]; break;
                case "t": tail = (string?)fields[i + 1]; break;
                case "n": sequence = (long)fields[i + 1]; break;
            }
        }

        payload ??= head + id + tail;
        if (!FlaskSsePayload.TryRead(System.Text.Encoding.UTF8.GetBytes(payload), out var message, out var error))
        {
            invalidPayload(channel, error);
            return null;
        }

        return (sequence, SseEventFormatter.FormatFrame(message, channel), id);
    }
}

/// <summary>A channel's newest history entry: its stream entry id and its key (the event's id); both null when empty.</summary>
internal readonly record struct HistoryPosition(string? EntryId, string? Key);
