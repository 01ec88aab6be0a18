namespace SseArea.Internal.Redis;

/// <summary>The Lua scripts of <see cref="RedisHistory"/>: each runs atomically on the channel's own slot.</summary>
internal static class RedisHistoryScripts
{
    // KEYS[1] stream, KEYS[2] its index of publishers' ids (id -> entry id), KEYS[3] (single Redis only) the
    // sequence shared by all channels: it orders a replay across channels, as entry ids of two streams can tie
    // within a millisecond. On a cluster it would be in another slot; entries then get 0.
    // ARGV: channel, max length, payload (or the text before the id), text after the id, explicit id.
    // ARGV[6]: how long the stream outlives its last publish, in milliseconds (PEXPIRE).
    // ARGV[7]: PUBLISH, or SPUBLISH (sharded pub/sub: the channel's slot must be the stream's, see RedisKeys).
    // The index lets a replay find a publisher's id without reading the stream: an entry's id leaves it when
    // the entry is trimmed (unless a newer entry reused the id), so it holds at most max length ids.
    public const string Publish = """
        local n = 0
        if #KEYS > 2 then n = redis.call('INCR', KEYS[3]) end
        if redis.call('EXISTS', KEYS[2]) == 1 then
          local over = redis.call('XLEN', KEYS[1]) - tonumber(ARGV[2]) + 1
          if over > 0 then
            for _, e in ipairs(redis.call('XRANGE', KEYS[1], '-', '+', 'COUNT', over)) do
              local f = e[2]
              for i = 1, #f, 2 do
                if f[i] == 'k' and redis.call('HGET', KEYS[2], f[i + 1]) == e[1] then redis.call('HDEL', KEYS[2], f[i + 1]) end
              end
            end
          end
        end
        if ARGV[5] ~= '' then
          local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'n', n, 'k', ARGV[5], 'p', ARGV[3])
          redis.call('HSET', KEYS[2], ARGV[5], id)
          redis.call('PEXPIRE', KEYS[1], ARGV[6])
          redis.call('PEXPIRE', KEYS[2], ARGV[6])
          return {id, redis.call(ARGV[7], ARGV[1], ARGV[3])}
        end
        local id = redis.call('XADD', KEYS[1], 'MAXLEN', ARGV[2], '*', 'n', n, 'h', ARGV[3], 't', ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[6])
        if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('PEXPIRE', KEYS[2], ARGV[6]) end
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

    // KEYS[1] stream, KEYS[2] its index of publishers' ids. ARGV[1] the last id the client has ('' none),
    // ARGV[2] 'read' to resolve it or 'from' when the client sent none, ARGV[3] 'entry' when ARGV[1] is shaped
    // like an entry id (checked in .NET: two 64-bit numbers), ARGV[4] the newest entry id before SUBSCRIBE
    // ('' none), ARGV[5] and ARGV[6] the most entries and payload bytes the stream may still take.
    // Answers {status, entries after the start}: 'ok' (after the client's id, or after ARGV[4] for 'from'),
    // 'missed' (the client's events are gone: the entries after ARGV[4]), or 'over' (more than the stream may
    // take: no entries). The client's id is found in O(log n) (an entry id) or O(1) (a publisher's id, through
    // the index); entries are read a page at a time and no further than the budget: a replay costs Redis what it
    // returns, plus one page.
    public const string Replay = """
        local max_count, max_bytes = tonumber(ARGV[5]), tonumber(ARGV[6])
        local function after(id)
          local out, bytes, start = {}, 0, '-'
          if id ~= '' then start = '(' .. id end
          local page = math.min(max_count + 1, 64)
          while true do
            local entries = redis.call('XRANGE', KEYS[1], start, '+', 'COUNT', page)
            for i = 1, #entries do
              local f = entries[i][2]
              for j = 2, #f, 2 do bytes = bytes + #f[j] end
              out[#out + 1] = entries[i]
              if #out > max_count or bytes > max_bytes then return nil end
            end
            if #entries < page then return out end
            start = '(' .. entries[#entries][1]
          end
        end
        local function answer(status, id)
          local entries = after(id)
          if entries == nil then return {'over', {}} end
          return {status, entries}
        end
        if ARGV[2] == 'from' then return answer('ok', ARGV[4]) end
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
          if added ~= length then return answer('missed', ARGV[4]) end
          start = ''
        else
          start = redis.call('HGET', KEYS[2], ARGV[1])
          -- An index left behind by a trim that was not SseArea's (XTRIM) must not skip what was trimmed.
          if start and #redis.call('XRANGE', KEYS[1], start, start) == 0 then start = nil end
          if not start and ARGV[3] == 'entry' then
            -- pcall: an id Redis can not parse (a part beyond 64 bits) is simply not an entry id. An entry kept
            -- under a publisher's id is not found by its entry id: the client was never told that one.
            local e = redis.pcall('XRANGE', KEYS[1], ARGV[1], ARGV[1])
            if type(e) == 'table' and e.err == nil and #e == 1 then
              start = ARGV[1]
              for i = 1, #e[1][2], 2 do if e[1][2][i] == 'k' then start = nil end end
            end
          end
          if not start then return answer('missed', ARGV[4]) end
        end
        return answer('ok', start)
        """;
}
