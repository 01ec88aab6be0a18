using System.Net;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Sample;

/// <summary>
/// The quick start, as a new user follows it (docs/packaging.md): a fresh <c>dotnet new mvc</c> and <c>dotnet new
/// webapp</c> site, the package added from a local folder (packed by this run with its own version), the README's lines
/// added, built and run as its own process; its page carries a live <c>&lt;sse-stream&gt;</c> that a published event
/// reaches in a real browser, and its admin-only channel answers 403.
/// </summary>
[TestFixture("mvc")]
[TestFixture("webapp")]
[CancelAfter(600_000)]
public sealed class NewSiteTests(string template)
{
    private DirectoryInfo _folder = null!;
    private string _site = null!;

    [OneTimeSetUp]
    public async Task CreateSiteAsync()
    {
        _folder = Directory.CreateTempSubdirectory($"ssearea-new-{template}-");
        var feed = Path.Combine(_folder.FullName, "feed");
        var version = $"{ProjectVersion()}-test.{DateTime.UtcNow:yyyyMMddHHmmss}";
        await RunAsync(Repository.Root(), "pack", Path.Combine(Repository.Root(), "SseArea", "SseArea.csproj"), "-c", SiteBuild.Configuration, "--no-build", "-o", feed, $"-p:VersionSuffix={version[(version.IndexOf('-') + 1)..]}");

        _site = Path.Combine(_folder.FullName, "site");
        await RunAsync(_folder.FullName, "new", template, "-o", _site, "-n", "NewSite", "--no-restore");
        // docs/packaging.md: a nuget.config beside the site adds the folder to the machine's own package sources.
        await File.WriteAllTextAsync(Path.Combine(_site, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        await RunAsync(_site, "add", "package", "SseArea", "--version", version);
        DocsQuickStart.Apply(_site, template);
        await RunAsync(_site, "build", "-c", "Release");
    }

    [OneTimeTearDown]
    public void DeleteSite() => _folder?.Delete(recursive: true);

    [Test]
    public async Task TheNewSite_ShowsALiveFeed_AndItsAdminChannelIsRefused()
    {
        // As `dotnet run` starts it (Development): from build output, a site serves package assets in Development only.
        await using var site = await TestSiteProcess.StartAsync(
            new SiteBuild(_site, Path.Combine(_site, "bin", "Release", "net10.0", "NewSite.dll")),
            new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Development" });
        var browser = await FieldBrowser.GetAsync(BrowserKind.Chromium);
        var page = await browser.NewPageAsync();
        try
        {
            Assert.That(await page.GotoAsync(site.Address.ToString()), Is.EqualTo(200));
            await page.WaitAsync("() => document.querySelector('sse-stream')?.getAttribute('state') === 'open'", "the new site's element open");

            Assert.That(await site.Http.GetStringAsync("/hello"), Is.EqualTo("Message sent!"));
            await page.WaitAsync("() => document.querySelector('#feed li')?.textContent === '{\"message\":\"Hello!\"}'", "the published event on the page");

            using var admin = await site.Http.GetAsync("/sse/stream?channel=admin");
            Assert.That(admin.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the admin-only channel, anonymous");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    private static string ProjectVersion()
    {
        var props = File.ReadAllText(Path.Combine(Repository.Root(), "Directory.Build.props"));
        var start = props.IndexOf("<VersionPrefix>", StringComparison.Ordinal) + "<VersionPrefix>".Length;
        return props[start..props.IndexOf("</VersionPrefix>", StringComparison.Ordinal)];
    }

    private static async Task RunAsync(string directory, params string[] arguments)
    {
        var (exitCode, output) = await DotnetCli.RunAsync(directory, arguments);
        Assert.That(exitCode, Is.Zero, $"dotnet {string.Join(' ', arguments)} failed:\n{output}");
    }
}
