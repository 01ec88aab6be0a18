using BenchmarkDotNet.Attributes;
using SseArea.Internal.Wire;

namespace SseArea.Benchmarks;

/// <summary>
/// Formatting one event to its wire bytes. Target: the only allocation is the frame itself
/// (compare Allocated with the frame's length rounded up to an array's size).
/// </summary>
[MemoryDiagnoser]
public class FormatBenchmarks
{
    private readonly SseMessage _small = new("{\"message\": \"Hello!\"}", type: "greeting");
    private readonly SseMessage _full = new("line one\nline two\r\nline three", type: "update", id: "12345", retry: 1500);

    /// <summary>The sample's <c>/hello</c> event: one JSON data line and a type.</summary>
    [Benchmark(Baseline = true)]
    public byte[] Small() => SseWriter.Format(_small);

    /// <summary>Every field, three data lines.</summary>
    [Benchmark]
    public byte[] AllFieldsMultiline() => SseWriter.Format(_full);
}
