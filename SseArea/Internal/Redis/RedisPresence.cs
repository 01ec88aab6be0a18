using System.Collections.Concurrent;
using System.Threading.Channels;
using StackExchange.Redis;

namespace SseArea.Internal.Redis;

/// <summary>
/// Cluster-wide subscriber counts: each server keeps its count of a channel in the channel's hash
/// <see cref="RedisKeys.Subscribers"/> (field: the server's id; value: <c>count:expiry-ms</c> in Redis's clock),
/// rewritten when it changes and every <see cref="RefreshInterval"/>. Readers remove expired entries, so a
/// crashed server drops out by itself.
/// </summary>
internal sealed class RedisPresence(Func<string, int> localCount, Func<IEnumerable<string>> localChannels, string prefix = "")
{
    /// <summary>How often each server rewrites its counts, even when nothing changed.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(10);

    /// <summary>How long a server's count stays valid without a refresh (three refresh intervals).</summary>
    public static readonly TimeSpan EntryLifetime = TimeSpan.FromSeconds(30);

    // KEYS[1] the hash; ARGV: server id, count, lifetime ms.
    private const string WriteScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        if tonumber(ARGV[2]) == 0 then
          redis.call('HDEL', KEYS[1], ARGV[1])
        else
          redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ':' .. (now + tonumber(ARGV[3])))
          redis.call('PEXPIRE', KEYS[1], ARGV[3])
        end
        return 1
        """;

    // KEYS[1] the hash; ARGV[1] the asking server's id (its own count is added live, not read).
    private const string ReadScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local all = redis.call('HGETALL', KEYS[1])
        local sum = 0
        for i = 1, #all, 2 do
          local value = all[i + 1]
          local sep = string.find(value, ':', 1, true)
          local count = tonumber(string.sub(value, 1, sep - 1))
          local expiry = tonumber(string.sub(value, sep + 1))
          if expiry <= now then
            redis.call('HDEL', KEYS[1], all[i])
          elseif all[i] ~= ARGV[1] then
            sum = sum + count
          end
        end
        return sum
        """;

    private readonly ConcurrentDictionary<string, byte> _dirty = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);
    // A doorbell: one pending ring is enough, more would say nothing new.
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _rewriteAll;

    public string ServerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    /// <summary>Notes that a channel's local count changed; it is written soon after.</summary>
    public void Changed(string channel)
    {
        _dirty[channel] = 0;
        _signal.Writer.TryWrite(true);
    }

    /// <summary>Asks for every count to be written again now: a Redis that restarted without persistence holds none.</summary>
    public void RewriteAll()
    {
        Interlocked.Exchange(ref _rewriteAll, 1);
        _signal.Writer.TryWrite(true);
    }

    /// <summary>Every other server's count plus this server's own, live.</summary>
    public async Task<long> CountAsync(IDatabase database, string channel)
    {
        var others = (long)await database.ScriptEvaluateAsync(ReadScript, [RedisKeys.Subscribers(prefix + channel)], [ServerId]);
        return others + localCount(channel);
    }

    /// <summary>Writes changed counts as they come, and every count each refresh interval, until canceled.</summary>
    public async Task RunAsync(Func<Task<IDatabase?>> database, Action<Exception> failed, CancellationToken cancellationToken)
    {
        var refreshDue = DateTime.UtcNow + RefreshInterval;
        Task<bool>? ring = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            var wait = refreshDue - DateTime.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                try
                {
                    // One wait for the doorbell, kept across refreshes.
                    ring ??= _signal.Reader.WaitToReadAsync(cancellationToken).AsTask();
                    await ring.WaitAsync(wait, cancellationToken);
                    ring = null;
                    _signal.Reader.TryRead(out _);
                }
                catch (TimeoutException)
                {
                    // The refresh is due.
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            var channels = new HashSet<string>(_dirty.Keys.Where(channel => _dirty.TryRemove(channel, out _)), StringComparer.Ordinal);

            if (Interlocked.Exchange(ref _rewriteAll, 0) == 1 || DateTime.UtcNow >= refreshDue)
            {
                channels.UnionWith(localChannels());
                refreshDue = DateTime.UtcNow + RefreshInterval;
            }

            if (channels.Count == 0)
            {
                continue;
            }

            try
            {
                if (await database() is { } db)
                {
                    await WriteAsync(db, channels);
                }
                else
                {
                    Retry(channels);
                }
            }
            catch (Exception e) when (RedisConnection.IsFailure(e))
            {
                failed(e);
                Retry(channels);
            }
        }
    }

    /// <summary>Removes this server's entries (on a clean shutdown).</summary>
    public Task ForgetAsync(IDatabase database)
        => Task.WhenAll(_reported.Keys.Select(channel => database.HashDeleteAsync(RedisKeys.Subscribers(prefix + channel), ServerId)));

    private async Task WriteAsync(IDatabase database, IEnumerable<string> channels)
    {
        var lifetime = (long)EntryLifetime.TotalMilliseconds;
        var writes = new List<Task>();
        foreach (var channel in channels)
        {
            var count = localCount(channel);
            if (count > 0)
            {
                _reported[channel] = 0;
            }
            else
            {
                _reported.TryRemove(channel, out _);
            }

            writes.Add(database.ScriptEvaluateAsync(WriteScript, [RedisKeys.Subscribers(prefix + channel)], [ServerId, count, lifetime]));
        }

        await Task.WhenAll(writes);
    }

    private void Retry(IEnumerable<string> channels)
    {
        foreach (var channel in channels)
        {
            _dirty[channel] = 0;
        }
    }
}
