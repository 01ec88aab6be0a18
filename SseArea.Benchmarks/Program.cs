using BenchmarkDotNet.Running;

namespace SseArea.Benchmarks;

internal static class Program
{
    // e.g. dotnet run -c Release --project SseArea.Benchmarks -- --filter '*FanOut*'
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
