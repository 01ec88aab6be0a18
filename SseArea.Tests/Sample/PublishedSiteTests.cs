using System.Net;
using System.Text.RegularExpressions;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Sample;

/// <summary>
/// SampleSite as it ships: published with <c>dotnet publish</c> (<see cref="PublishedSampleSite"/>),
/// then run as its own process. The library's script must travel with it.
/// </summary>
[CancelAfter(180_000)]
public sealed partial class PublishedSiteTests
{
    private static readonly string[] Scripts = ["sse-stream.js", "sse-hub.js", "sse-worker.js", "sse-actions.js"];

    private DirectoryInfo _output = null!;

    [OneTimeSetUp]
    public async Task PublishAsync() => _output = await PublishedSampleSite.GetAsync();

    [TestCaseSource(nameof(Scripts))]
    public void PublishedSite_CarriesTheElementsScripts_Unchanged(string script)
    {
        var published = new FileInfo(Path.Combine(_output.FullName, "wwwroot", "_content", "SseArea", script));

        Assert.That(published.Exists, Is.True, $"{script} in the published site");
        Assert.That(File.ReadAllBytes(published.FullName), Is.EqualTo(File.ReadAllBytes(Path.Combine(Repository.Root(), "SseArea", "wwwroot", script))));
    }

    [Test]
    public void TheElementsScripts_AreSmall()
    {
        var gzipped = Scripts.Sum(script =>
        {
            using var compressed = new MemoryStream();
            using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
            {
                gzip.Write(File.ReadAllBytes(Path.Combine(Repository.Root(), "SseArea", "wwwroot", script)));
            }

            return compressed.Length;
        });

        Assert.That(gzipped, Is.LessThan(10 * 1024), "the element, its shared connections, its worker and its stream actions: under 10 KB gzipped");
    }

    [Test]
    public async Task PublishedSite_ServesTheScriptItsPagesLinkTo()
    {
        await using var site = await TestSiteProcess.StartAsync(SiteBuild.Published(_output.FullName, "SampleSite"));

        var html = await site.Http.GetStringAsync("/");
        var link = ScriptLink().Match(html);
        Assert.That(link.Success, Is.True, "the home page links the script with a version hash");
        using var response = await site.Http.GetAsync(WebUtility.HtmlDecode(link.Groups[1].Value));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("customElements.define(\"sse-stream\""));
    }

    [GeneratedRegex("<script src=\"(/_content/SseArea/sse-stream\\.js\\?v=[^\"]+)\" type=\"module\">")]
    private static partial Regex ScriptLink();
}
