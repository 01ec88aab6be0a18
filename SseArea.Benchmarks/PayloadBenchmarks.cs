using BenchmarkDotNet.Attributes;
using SseArea.Internal.Redis;
using SseArea.Internal.Wire;

namespace SseArea.Benchmarks;

/// <summary>Decoding a Flask-SSE Redis payload: done once per event per server process.</summary>
[MemoryDiagnoser]
public class PayloadBenchmarks
{
    private readonly ReadOnlyMemory<byte> _objectData = "{\"data\": {\"message\": \"Hello!\"}, \"type\": \"greeting\"}"u8.ToArray();
    private readonly ReadOnlyMemory<byte> _stringData = "{\"data\": \"Hello!\", \"type\": \"greeting\", \"id\": 42, \"retry\": 1000}"u8.ToArray();

    /// <summary>JSON object data (kept as raw text), as Python's <c>sse.publish({"message": ...})</c> sends.</summary>
    [Benchmark(Baseline = true)]
    public SseMessage? ObjectData()
    {
        RedisProtocol.TryRead(_objectData, out var message, out _);
        return message;
    }

    /// <summary>String data with a numeric id and retry.</summary>
    [Benchmark]
    public SseMessage? StringDataAllFields()
    {
        RedisProtocol.TryRead(_stringData, out var message, out _);
        return message;
    }

    /// <summary>Decode then format: what a server does with each event it receives from Redis.</summary>
    [Benchmark]
    public byte[] DecodeAndFormat()
    {
        RedisProtocol.TryRead(_objectData, out var message, out _);
        return SseWriter.Format(message!);
    }
}
