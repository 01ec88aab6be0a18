namespace SseArea.LoadTool;

/// <summary>
/// Counts of non-negative values (microseconds) in log-linear buckets: exact below 128, then 64
/// buckets per power of two, so any percentile is within 1/64 (1.6 %) of the true value; the
/// maximum is exact. Not thread-safe: one per thread, merged at the end.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int LinearBuckets = 128;
    private const int SubBuckets = 64;
    private readonly long[] _counts = new long[LinearBuckets + ((63 - 7) * SubBuckets)];

    public long Count { get; private set; }

    public long Max { get; private set; }

    public void Record(long value)
    {
        value = Math.Max(0, value);
        _counts[IndexOf(value)]++;
        Count++;
        Max = Math.Max(Max, value);
    }

    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>
    /// The smallest recorded value v such that at least <paramref name="percentile"/> % of values are
    /// ≤ v (nearest rank), given as the top of its bucket and never above <see cref="Max"/>; 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percentile);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percentile, 100);
        if (Count == 0)
        {
            return 0;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                return Math.Min(Max, HighestInBucket(i));
            }
        }

        return Max;
    }

    private static int IndexOf(long value)
    {
        if (value < LinearBuckets)
        {
            return (int)value;
        }

        var exponent = 63 - (int)long.LeadingZeroCount(value); // ≥ 7
        var mantissa = (int)(value >> (exponent - 6)); // 64..127
        return LinearBuckets + ((exponent - 7) * SubBuckets) + (mantissa - SubBuckets);
    }

    private static long HighestInBucket(int index)
    {
        if (index < LinearBuckets)
        {
            return index;
        }

        var exponent = ((index - LinearBuckets) / SubBuckets) + 7;
        var mantissa = ((index - LinearBuckets) % SubBuckets) + SubBuckets;
        return ((long)(mantissa + 1) << (exponent - 6)) - 1;
    }
}
