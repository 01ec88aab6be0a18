using System.Text.Json;
using SseArea.LoadTool.Charts;
using SseArea.LoadTool.Heap;

namespace SseArea.LoadTool;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        LoadOptions options;
        try
        {
            options = LoadOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}\n\n{LoadOptions.Usage}");
            return 2;
        }

        switch (options.Command)
        {
            case "help":
                Console.WriteLine(LoadOptions.Usage);
                return 0;
            case "heap":
                return Heap(options);
            case "chart":
                return Chart(options);
        }

        using var stop = new CancellationTokenSource(options.MaxDuration);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };

        var parameters = Runner.Describe(options);
        var results = new List<RunResult>();
        string? incomplete = null;
        try
        {
            await Runner.RunAsync(options, results, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            incomplete = $"stopped after {options.MaxDuration.TotalSeconds} s (--max-seconds) or by Ctrl+C, {results.Count} runs done";
            await Console.Error.WriteLineAsync($"error: {incomplete}");
        }
        catch (InvalidOperationException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 1;
        }

        var summary = Summaries.Create(options, parameters, results, Console.Out, incomplete);
        if (options.ChartsDirectory is { } charts && results.Count > 0)
        {
            WriteCharts([summary], charts);
        }

        Console.WriteLine(JsonSerializer.Serialize(summary, SummaryJson.Options));
        return incomplete is null ? 0 : 1;
    }

    private static int Heap(LoadOptions options)
    {
        if (options.HeapJson)
        {
            var measure = HeapWalk.Measure(options.HeapPid);
            Console.WriteLine(JsonSerializer.Serialize(measure, SummaryJson.Options));
            return measure.Error is null ? 0 : 1;
        }

        try
        {
            HeapWalk.Of(options.HeapPid).Print(Console.Out, options.HeapTop);
            return 0;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.Error.WriteLine($"error: could not read the heap of process {options.HeapPid}: {e.GetType().Name}: {e.Message} (attaching needs root: ptrace)");
            return 1;
        }
    }

    private static int Chart(LoadOptions options)
    {
        var summaries = new List<Summary>();
        foreach (var file in options.From)
        {
            try
            {
                summaries.Add(SummaryJson.Read(file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidDataException)
            {
                Console.Error.WriteLine($"error: {file}: {e.Message}");
                return 1;
            }
        }

        WriteCharts(summaries, options.ChartsDirectory!);
        return 0;
    }

    private static void WriteCharts(IReadOnlyList<Summary> summaries, string directory)
    {
        foreach (var file in ResultCharts.Write(summaries, directory))
        {
            Console.WriteLine($"# chart: {file}");
        }
    }
}
