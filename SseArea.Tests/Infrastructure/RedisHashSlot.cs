using System.Text;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// The Redis Cluster slot of a key or shard channel, computed as the cluster specification says
/// (CRC16-XMODEM of the hashed part, modulo 16384): no cluster needed to know where a name lives.
/// </summary>
internal static class RedisHashSlot
{
    public const int Slots = 16384;

    /// <summary>The slot of <paramref name="key"/>: of its hash tag (the text between the first <c>{</c> and the next <c>}</c>) when that is not empty, else of the whole key.</summary>
    public static int Of(string key)
    {
        var bytes = Encoding.UTF8.GetBytes(key);
        var open = Array.IndexOf(bytes, (byte)'{');
        if (open >= 0)
        {
            var close = Array.IndexOf(bytes, (byte)'}', open + 1);
            if (close > open + 1)
            {
                return Crc16(bytes.AsSpan(open + 1, close - open - 1)) % Slots;
            }
        }

        return Crc16(bytes) % Slots;
    }

    /// <summary>CRC16-XMODEM (polynomial 0x1021, initial value 0), the checksum Redis Cluster hashes with.</summary>
    public static int Crc16(ReadOnlySpan<byte> bytes)
    {
        var crc = 0;
        foreach (var b in bytes)
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
        }

        return crc & 0xFFFF;
    }
}
