using System.Text.RegularExpressions;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Unit;

/// <summary>
/// The library's rooms and the one way their dependencies run, read from its source: a room may use the
/// rooms below it, never one beside or above it. The public contract at the root is the vocabulary all use.
/// </summary>
public sealed partial class ArchitectureTests
{
    /// <summary>Each room of <c>SseArea/Internal</c> and the rooms it may use.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Diagnostics"] = [],
        ["Wire"] = ["Diagnostics"],
        ["Fanout"] = ["Wire", "Diagnostics"],
        ["Delivery"] = ["Fanout", "Wire", "Diagnostics"],
        ["Redis"] = ["Fanout", "Wire", "Diagnostics"],
        ["Publishing"] = ["Fanout", "Wire", "Diagnostics"],
        ["Http"] = ["Delivery", "Fanout", "Wire", "Diagnostics"],
        ["Access"] = ["Http", "Wire", "Diagnostics"],
        ["Dashboard"] = ["Access", "Http", "Delivery", "Fanout", "Wire", "Diagnostics"],
        ["Views"] = [],
        ["Hosting"] = ["Access", "Dashboard", "Http", "Publishing", "Views", "Redis", "Delivery", "Fanout", "Wire", "Diagnostics"],
    };

    private static string Library => Path.Combine(Repository.Root(), "SseArea");

    private static IEnumerable<string> SourceFiles(string folder)
        => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    [Test]
    public void EveryInternalFolder_IsARoomWithItsRulesWritten()
    {
        var rooms = Directory.GetDirectories(Path.Combine(Library, "Internal")).Select(Path.GetFileName);

        Assert.That(rooms, Is.EquivalentTo(Allowed.Keys));
    }

    [Test]
    public void Rooms_UseOnlyTheRoomsBelowThem()
    {
        var wrong = new List<string>();
        foreach (var (room, allowed) in Allowed)
        {
            foreach (var file in SourceFiles(Path.Combine(Library, "Internal", room)))
            {
                foreach (var used in RoomReference().Matches(File.ReadAllText(file)).Select(m => m.Groups["room"].Value).Distinct())
                {
                    if (used != room && !allowed.Contains(used))
                    {
                        wrong.Add($"{Path.GetRelativePath(Library, file)} uses {used}");
                    }
                }
            }
        }

        Assert.That(wrong, Is.Empty, "a room may use only the rooms listed for it in Allowed");
    }

    [Test]
    public void LibraryFiles_StayReadableInOneSitting()
    {
        // About 250 lines at most; a file that needs more says why in its first lines.
        var long_ = SourceFiles(Library)
            .Select(file => (File: Path.GetRelativePath(Library, file), Lines: File.ReadAllLines(file)))
            .Where(f => f.Lines.Length > 250 && !f.Lines.Take(15).Any(line => line.Contains("longer than", StringComparison.OrdinalIgnoreCase)))
            .Select(f => $"{f.File}: {f.Lines.Length} lines");

        Assert.That(long_, Is.Empty);
    }

    [GeneratedRegex(@"\bSseArea\.Internal\.(?<room>[A-Za-z]+)")]
    private static partial Regex RoomReference();
}
