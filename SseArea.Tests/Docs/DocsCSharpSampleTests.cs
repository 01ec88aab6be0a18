using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace SseArea.Tests.Docs;

/// <summary>
/// Every C# block in README.md and docs/ compiles as written, against SseArea and ASP.NET Core, with the usings a new
/// web project has (the Web SDK's implicit ones, not <c>SseArea</c>: a sample that needs it says <c>using SseArea;</c>).
/// A block of statements is a Program.cs: where it uses <c>builder</c> or <c>app</c> without making them, they are
/// declared first, as the surrounding Program.cs would. A page's blocks that only declare types compile beside each of
/// its blocks, so one block may use a class another defines.
/// </summary>
public sealed partial class DocsCSharpSampleTests
{
    private static readonly string[] WebUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Net.Http.Json", "System.Threading",
        "System.Threading.Tasks", "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http",
        "Microsoft.AspNetCore.Routing", "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection",
        "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
    ];

    private static readonly Lazy<List<MetadataReference>> References = new(() =>
        [.. ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).Select(path => MetadataReference.CreateFromFile(path))]);

    public static IEnumerable<DocsSample> Samples() => DocsSamples.CSharp();

    [Test]
    public void TheDocsHoldCSharpSamples() => Assert.That(Samples().Count(), Is.GreaterThan(10));

    [TestCaseSource(nameof(Samples))]
    public void Compiles(DocsSample sample)
    {
        var options = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = new List<SyntaxTree>
        {
            CSharpSyntaxTree.ParseText(string.Join('\n', WebUsings.Select(u => $"global using {u};")), options, "GlobalUsings.cs"),
            CSharpSyntaxTree.ParseText(AsProgram(sample.Code), options, sample.ToString()),
        };
        trees.AddRange(DocsSamples.CSharp()
            .Where(other => other.File == sample.File && other != sample && !HasStatements(other.Code))
            .Select(other => CSharpSyntaxTree.ParseText(other.Code, options, other.ToString())));
        var program = HasStatements(sample.Code);
        var compilation = CSharpCompilation.Create(
            "DocsSample",
            trees,
            References.Value,
            new CSharpCompilationOptions(program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();

        Assert.That(errors, Is.Empty, $"{sample} does not compile as written:\n{sample.Code}");
    }

    private static bool HasStatements(string code)
        => CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Preview)).GetCompilationUnitRoot().Members
            .OfType<Microsoft.CodeAnalysis.CSharp.Syntax.GlobalStatementSyntax>().Any();

    // What the surrounding Program.cs provides, after the block's own using directives.
    private static string AsProgram(string code)
    {
        if (!HasStatements(code))
        {
            return code;
        }

        var prelude = new List<string>();
        if (Uses("builder").IsMatch(code) && !code.Contains("var builder", StringComparison.Ordinal))
        {
            prelude.Add("var builder = WebApplication.CreateBuilder(args);");
        }

        if (Uses("app").IsMatch(code) && !code.Contains("var app", StringComparison.Ordinal))
        {
            prelude.Add("var app = WebApplication.CreateBuilder(args).Build();");
        }

        var lines = code.Split('\n').ToList();
        var afterUsings = lines.FindLastIndex(l => l.StartsWith("using ", StringComparison.Ordinal) && l.TrimEnd().EndsWith(';')) + 1;
        lines.InsertRange(afterUsings, prelude);
        return string.Join('\n', lines);
    }

    private static Regex Uses(string name) => new($@"\b{name}\.", RegexOptions.CultureInvariant);
}
