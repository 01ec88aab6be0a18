using System.Text.Json;
using System.Text.Json.Serialization;

namespace SseArea.LoadTool;

/// <summary>How summaries are written (the last line of every run) and read back (<c>chart --from</c>).</summary>
internal static class SummaryJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The summary a command printed: the last line of its output (a log) that is a JSON object.</summary>
    public static Summary Read(string file)
    {
        var line = File.ReadLines(file).LastOrDefault(l => l.TrimStart().StartsWith('{'))
            ?? throw new InvalidDataException("no JSON summary in it (the load tool's last line).");
        return JsonSerializer.Deserialize<Summary>(line, Options) ?? throw new InvalidDataException("the JSON summary is null.");
    }
}
