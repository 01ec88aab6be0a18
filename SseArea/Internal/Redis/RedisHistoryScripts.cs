namespace SseArea.Internal.Redis;

/// <summary>The Lua scripts of <see cref="RedisHistory"/>: each runs atomically on the channel's own slot.</summary>
internal static class RedisHistoryScripts
{
    // KEYS[1] stream, KEYS[2] (single Redis only) the sequence shared by all channels: it orders a
    // replay across channels, as entry ids of two streams can tie within a millisecond. On a cluster
    // it would be in another slot; entries then get 0.
    // ARGV: channel, max length, payload (or the text before the id), text after the id, explicit id.
    // ARGV[6]: how long the stream outlives its last publish, in milliseconds (PEXPIRE).
    // ARGV[7]: PUBLISH, or SPUBLISH (sharded pub/sub: the channel's slot must be the stream's, see RedisKeys).
    public const string Publish = """
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

    // KEYS[1] stream. Answers {entry id, key} of the newest entry, or {'', ''} when there is none.
    public const string Newest = """
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
    public const string Replay = """
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
}
