using System.Globalization;
using System.Text.RegularExpressions;

namespace SseArea.LoadTool;

/// <summary>The values of the options, each refused with a message that names the option.</summary>
internal sealed partial class LoadOptions
{
    /// <summary>The server a target name runs: <c>sample+ws</c> is <c>sample</c> with its own <c>--target-env</c>.</summary>
    public static string BaseOf(string target) => target.Split('+', 2)[0];

    /// <summary>Whether the tool can attach to the target's server with ClrMD (SampleSite, the baseline, before).</summary>
    public static bool IsDotnet(string target) => BaseOf(target) != "nchan";

    private static string Target(string value) =>
        BaseOf(value) is "sample" or "baseline" or "before" or "nchan" && TargetPattern().IsMatch(value)
            ? value
            : throw new ArgumentException($"Unknown target '{value}': use sample, baseline, before or nchan, or BASE+LABEL (letters, digits, '.', '-', '_').");

    private static KeyValuePair<string, string> Variable(string name, string value)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        return equals > 0 && VariablePattern().IsMatch(value[..equals])
            ? new(value[..equals], value[(equals + 1)..])
            : throw new ArgumentException($"Option '{name}' takes NAME=VALUE (an environment variable), not '{value}'.");
    }

    private static bool Bool(string name, string value) => value switch
    {
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        _ => throw new ArgumentException($"Option '{name}' takes true or false, not '{value}'."),
    };

    private static int Int(string name, string value, int min) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
            ? n
            : throw new ArgumentException($"Option '{name}' takes an integer ≥ {min}, not '{value}'.");

    private static double Double(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0 && double.IsFinite(n)
            ? n
            : throw new ArgumentException($"Option '{name}' takes a non-negative number, not '{value}'.");

    [GeneratedRegex(@"^[a-z]+(\+[A-Za-z0-9_.-]+)?$")]
    private static partial Regex TargetPattern();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex VariablePattern();
}
