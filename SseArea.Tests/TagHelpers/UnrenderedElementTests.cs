using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.TagHelpers;

/// <summary>
/// An <c>&lt;sse-stream&gt;</c> the tag helper did not render (no <c>@addTagHelper *, SseArea</c>) says so: in Development
/// the page gets a console warning naming the fix; outside Development, and on pages whose elements were rendered, the
/// page is left as it is. The element itself warns when it has a channel but no src.
/// </summary>
[CancelAfter(60_000)]
public sealed class UnrenderedElementTests
{
    [Test]
    public async Task InDevelopment_APageWithAnUnrenderedElement_WarnsInTheConsole_NamingTheFix()
    {
        await using var site = await TestSite.StartAsync(new TestSiteOptions { Environment = "Development" });

        var html = await site.Http.GetStringAsync("/test/untagged");

        Assert.That(html, Does.Contain("<script>console.warn(").And.Contain("@addTagHelper *, SseArea to Views/_ViewImports.cshtml (MVC) or Pages/_ViewImports.cshtml"));
    }

    [Test]
    public async Task InDevelopment_APageWhoseElementsWereRendered_IsLeftAsItIs()
    {
        await using var site = await TestSite.StartAsync(new TestSiteOptions { Environment = "Development" });

        var html = await site.Http.GetStringAsync("/test/page?channel=rendered");

        Assert.That(html, Does.Not.Contain("console.warn"));
    }

    [Test]
    public async Task OutsideDevelopment_NothingIsAdded()
    {
        await using var site = await TestSite.StartAsync();

        var html = await site.Http.GetStringAsync("/test/untagged");

        Assert.That(html, Does.Not.Contain("console.warn"));
    }
}
