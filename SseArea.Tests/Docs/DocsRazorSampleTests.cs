using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Docs;

/// <summary>
/// Every Razor block in README.md and docs/ compiles and renders: each is written as a view of the test host (whose
/// <c>_ViewImports.cshtml</c> has <c>@addTagHelper *, SseArea</c>, as the docs tell you to), compiled by Razor runtime
/// compilation and requested; the page must answer 200, and a page with an element must carry its stream URL.
/// </summary>
[CancelAfter(120_000)]
public sealed class DocsRazorSampleTests
{
    private static readonly List<DocsSample> Samples = [.. DocsSamples.Razor()];
    private DirectoryInfo _folder = null!;
    private TestSite<TestHost.Program> _site = null!;

    public static IEnumerable<TestCaseData> Cases() => DocsSamples.Razor().Select((sample, i) => new TestCaseData(i).SetName($"Renders({sample})"));

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _folder = Directory.CreateTempSubdirectory("ssearea-docs-razor-");
        var views = Directory.CreateDirectory(Path.Combine(_folder.FullName, "Views", "DocsSamples"));
        for (var i = 0; i < Samples.Count; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(views.FullName, $"sample{i}.cshtml"), "@{ Layout = null; }\n" + Samples[i].Code);
        }

        _site = await TestSite.StartAsync(new TestSiteOptions
        {
            Services = services => services.AddControllersWithViews()
                .AddRazorRuntimeCompilation(o =>
                {
                    o.FileProviders.Add(new PhysicalFileProvider(_folder.FullName));
                    // In the test process the views compile against what the test run loaded (the host's deps.json is not here).
                    foreach (var path in ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator))
                    {
                        o.AdditionalReferencePaths.Add(path);
                    }
                }),
        });
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        await _site.DisposeAsync();
        _folder.Delete(recursive: true);
    }

    [Test]
    public void TheDocsHoldRazorSamples() => Assert.That(Samples, Has.Count.GreaterThan(3));

    [TestCaseSource(nameof(Cases))]
    public async Task Renders(int index)
    {
        var sample = Samples[index];
        using var response = await _site.Http.GetAsync($"/test/docs-sample/sample{index}");
        var html = await response.Content.ReadAsStringAsync();

        var errors = string.Join('\n', _site.Logs.GetSnapshot().Where(r => r.Exception is not null).Select(r => r.Exception!.Message).Distinct());
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{sample} does not render as written:\n{sample.Code}\n---\n{html}\n{errors}");
        if (sample.Code.Contains("<sse-stream", StringComparison.Ordinal))
        {
            Assert.That(html, Does.Contain("src=\"/sse/stream"), $"{sample}: the tag helper rendered the element");
        }
    }
}
