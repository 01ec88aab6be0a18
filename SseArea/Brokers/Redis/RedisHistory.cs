using SseArea.Publishing;
using SseArea.Streaming;
using StackExchange.Redis;

namespace SseArea.Brokers.Redis;

/// <summary>
/// The Redis side of replay: one capped Redis Stream per channel (key <c>sse:history:&lt;channel&gt;</c>),
/// appended and published by one Lua script so that history order is delivery order.
/// </summary>
/// <remarks>
/// An event without an id gets the stream's entry id (<c>1700000000000-0</c>); the published
/// payload is the Flask-SSE JSON with that id in its <c>"id"</c> field, kept in the stream as the
/// text before and after the id. An event with its publisher's id is kept whole, with that id as its key.
/// </remarks>
internal static class RedisHistory
{
    private const string IdPlaceholder = "SseArea.Id.Placeholder.9c41e7";

    // KEYS[1] stream, KEYS[2] the sequence shared by all channels (it orders a replay across channels:
    // entry ids of two streams can tie within a millisecond).
    // ARGV: channel, max length, payload (or the text before the id), text after the id, explicit id.
    // ARGV[6]: how long the stream outlives its last publish, in milliseconds (PEXPIRE).
    private const string PublishScript = """
        local n = redis.call('INCR', KEYS[2])
        if ARGV[5] ~= '' then
          local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'n', n, 'k', ARGV[5], 'p', ARGV[3])
          redis.call('PEXPIRE', KEYS[1], ARGV[6])
          return {id, redis.call('PUBLISH', ARGV[1], ARGV[3])}
        end
        local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'n', n, 'h', ARGV[3], 't', ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
        return {id, redis.call('PUBLISH', ARGV[1], ARGV[3] .. id .. ARGV[4])}
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

    /// <summary>The key of the counter that numbers every event kept, across channels.</summary>
    public static readonly RedisKey SequenceKey = "sse:sequence";

    public static RedisKey StreamKey(string channel) => "sse:history:" + channel;

    /// <summary>Appends the event to the channel's history and publishes it; returns the PUBLISH count.</summary>
    public static async Task<long> PublishAsync(IDatabase database, string channel, SseMessage message, int historyLength)
    {
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
            [StreamKey(channel), SequenceKey],
            [channel, historyLength, head, tail, explicitId, (long)Lifetime.TotalMilliseconds]))!;
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
            reads[i] = database.ScriptEvaluateAsync(NewestScript, [StreamKey(channels[i])]);
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
            reads[i] = database.ScriptEvaluateAsync(ReplayScript, [StreamKey(channels[i])], args);
        }

        await Task.WhenAll(reads);
        var cursor = new Dictionary<string, string?>(StringComparer.Ordinal);
        var missed = new List<string>();
        var entries = new List<(long Sequence, SseFrame Frame, bool Overlaps)>();
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
                    entries.Add((read.Sequence, read.Frame, IsAfter(read.EntryId, before[i].EntryId)));
                }
            }
        }

        // Numbered by one counter at publication: merged by it, channels keep publication order.
        entries.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return new SseReplay(
            entries.ConvertAll(e => e.Frame),
            missed,
            cursor,
            overlap: entries.Where(e => e.Overlaps).Select(e => e.Frame).ToList());
    }

    /// <summary>Whether stream entry id <paramref name="id"/> comes after <paramref name="bound"/> (none: every id does).</summary>
    private static bool IsAfter(string id, string? bound)
    {
        if (bound is null)
        {
            return true;
        }

        static (ulong, ulong) Parse(string entry)
        {
            var dash = entry.IndexOf('-', StringComparison.Ordinal);
            return (ulong.Parse(entry.AsSpan(0, dash), System.Globalization.CultureInfo.InvariantCulture),
                ulong.Parse(entry.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture));
        }

        return Parse(id).CompareTo(Parse(bound)) > 0;
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
