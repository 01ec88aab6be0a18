using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace SseArea.LoadTool;

/// <summary>
/// The events the tool publishes: Flask-SSE JSON whose data carries a sequence number and the
/// publish time (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>, the machine's monotonic
/// clock, so any process on this machine can compare it with its own reading).
/// </summary>
internal static class BenchPayload
{
    private static ReadOnlySpan<byte> TimestampKey => "\"ts\":"u8;

    /// <summary>The Redis payload, e.g. <c>{"data": {"seq": 7, "ts": 123}, "type": "bench"}</c>, optionally padded.</summary>
    public static string Create(long sequence, long timestamp, int padding = 0)
    {
        var pad = padding > 0 ? string.Concat(", \"pad\": \"", new string('x', padding), "\"") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{{\"data\": {{\"seq\": {sequence}, \"ts\": {timestamp}{pad}}}, \"type\": \"bench\"}}");
    }

    /// <summary>The event's data alone, e.g. <c>{"seq": 7, "ts": 123}</c>: what a target that takes the data itself (nchan) is sent.</summary>
    public static string CreateData(long sequence, long timestamp, int padding = 0)
    {
        var pad = padding > 0 ? string.Concat(", \"pad\": \"", new string('x', padding), "\"") : string.Empty;
        return string.Create(CultureInfo.InvariantCulture, $"{{\"seq\": {sequence}, \"ts\": {timestamp}{pad}}}");
    }

    /// <summary>Finds <c>"ts":</c> followed by optional spaces and a non-negative integer in an event's data.</summary>
    public static bool TryReadTimestamp(ReadOnlySpan<byte> data, out long timestamp)
    {
        timestamp = 0;
        var at = data.IndexOf(TimestampKey);
        if (at < 0)
        {
            return false;
        }

        var rest = data[(at + TimestampKey.Length)..].TrimStart((byte)' ');
        return Utf8Parser.TryParse(rest, out timestamp, out var consumed) && consumed > 0 && timestamp >= 0;
    }

    /// <summary>Text form of <see cref="TryReadTimestamp(ReadOnlySpan{byte}, out long)"/>, for tests.</summary>
    public static bool TryReadTimestamp(string data, out long timestamp) => TryReadTimestamp(Encoding.UTF8.GetBytes(data), out timestamp);
}
