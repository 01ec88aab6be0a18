using System.Text.RegularExpressions;

namespace SseArea.Tests.Docs;

/// <summary>One fenced code block of README.md or a page under docs/: where it is, its language and its text.</summary>
public sealed record DocsSample(string File, int Line, string Language, string Code)
{
    public override string ToString() => $"{File}:{Line}";
}

/// <summary>The fenced code blocks of README.md, the package's readme (SseArea/PACKAGE.md) and docs/*.md, by language.</summary>
public static partial class DocsSamples
{
    /// <summary>Every C# block (<c>```csharp</c>).</summary>
    public static IEnumerable<DocsSample> CSharp() => All().Where(s => s.Language is "csharp" or "cs");

    /// <summary>Every Razor block (<c>```cshtml</c>).</summary>
    public static IEnumerable<DocsSample> Razor() => All().Where(s => s.Language is "cshtml" or "razor");

    /// <summary>Every fenced block of every page, in order.</summary>
    public static IEnumerable<DocsSample> All()
    {
        var root = Infrastructure.Repository.Root();
        var pages = new[] { Path.Combine(root, "README.md"), Path.Combine(root, "SseArea", "PACKAGE.md") }.Concat(Directory.GetFiles(Path.Combine(root, "docs"), "*.md").Order(StringComparer.Ordinal));
        foreach (var page in pages)
        {
            var lines = File.ReadAllLines(page);
            for (var i = 0; i < lines.Length; i++)
            {
                if (Fence().Match(lines[i]) is { Success: true } open)
                {
                    var end = Array.FindIndex(lines, i + 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
                    var indent = lines[i].Length - lines[i].TrimStart().Length;
                    var code = string.Join('\n', lines[(i + 1)..end].Select(l => l.Length >= indent ? l[indent..] : l.TrimStart()));
                    yield return new DocsSample(Path.GetRelativePath(root, page), i + 1, open.Groups[1].Value, code);
                    i = end;
                }
            }
        }
    }

    [GeneratedRegex(@"^\s*```([a-z]+)\s*$")]
    private static partial Regex Fence();
}
