using System.Net;
using System.Text.Encodings.Web;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Razor.Infrastructure;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using SseArea.TagHelpers;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.TagHelpers;

/// <summary>
/// The tag helper's HTML, rendered with the test host's real routing and file version provider (so
/// the stream URL is what the app's routes generate, the script hash what <c>asp-append-version</c> gives),
/// and in a page of the host.
/// </summary>
public sealed partial class SseStreamTagHelperTests
{
    private TestSite<TestHost.Program> _site = null!;
    private TestSite<TestHost.Program> _prefixed = null!;

    [OneTimeSetUp]
    public async Task StartSitesAsync()
    {
        _site = await TestSite.StartAsync();
        _prefixed = await TestSite.StartAsync(BrokerKind.InMemory, new() { [TestSettings.RoutePrefix] = "/live/events/" });
    }

    [OneTimeTearDown]
    public async Task StopSitesAsync()
    {
        foreach (var site in new[] { _site, _prefixed })
        {
            if (site is not null)
            {
                await site.DisposeAsync();
            }
        }
    }

    [Test]
    public void Channel_RendersTheElementWithTheStreamUrlAndTheScript()
    {
        var html = Render(_site, h => h.Channel = "users.social");

        Assert.That(html, Does.Match(
            "^<sse-stream src=\"/sse/stream\\?channel=users.social\"></sse-stream>"
            + "<script src=\"/_content/SseArea/sse-stream.js\\?v=[A-Za-z0-9_-]{43}\" type=\"module\"></script>$"));
    }

    [Test]
    public void NoChannel_PointsAtTheDefaultChannelsStream()
    {
        var html = Render(_site, _ => { });

        Assert.That(Src(html), Is.EqualTo("/sse/stream"));
    }

    [Test]
    public void Channels_BecomeRepeatedChannelValues_AfterChannel_WithoutBlanksOrDuplicates()
    {
        var html = Render(_site, h =>
        {
            h.Channel = "news";
            h.Channels = " users.social, ,analytics,news,users.social ";
        });

        Assert.That(Src(html), Is.EqualTo("/sse/stream?channel=news&channel=users.social&channel=analytics"));
    }

    [TestCase("a&b")]
    [TestCase("say \"hi\"")]
    [TestCase("<script>alert('x')</script>")]
    [TestCase("ünï.😀")]
    [TestCase("a,b=c?d#e%f+g h")]
    [TestCase("&amp;")]
    public void ChannelName_IsUrlEncodedThenHtmlEncoded_AndReadsBackUnchanged(string channel)
    {
        var html = Render(_site, h => h.Channel = channel);

        var src = Src(html);
        Assert.Multiple(() =>
        {
            Assert.That(src, Does.StartWith("/sse/stream?channel="));
            Assert.That(src, Does.Match("^[\\x21-\\x7E]+$"), "only printable ASCII in the URL");
            Assert.That(QueryHelpers.ParseQuery(new Uri("http://h" + src).Query)["channel"].ToArray(), Is.EqualTo(new[] { channel }));
            Assert.That(html.Count(c => c == '<'), Is.EqualTo(4), "no markup but the two elements' tags");
        });
    }

    [Test]
    public void EventsAndTarget_AreHtmlEncoded()
    {
        var html = Render(_site, h =>
        {
            h.Events = "greeting, status\" onclick=\"alert(1)";
            h.Target = "#feed\"><img src=x>";
        });

        Assert.Multiple(() =>
        {
            Assert.That(html, Does.Contain("events=\"greeting,status&quot; onclick=&quot;alert(1)\""));
            Assert.That(html, Does.Contain("target=\"#feed&quot;&gt;&lt;img src=x&gt;\""));
            Assert.That(html, Does.Not.Contain("<img"));
        });
    }

    [Test]
    public void LastEventIdAndWithCredentials_ReachTheElement()
    {
        var html = Render(_site, h =>
        {
            h.Channel = "c";
            h.LastEventId = "41 & 42";
            h.WithCredentials = true;
        });

        Assert.Multiple(() =>
        {
            Assert.That(Src(html), Is.EqualTo("/sse/stream?channel=c&lastEventId=41%20%26%2042"));
            Assert.That(html, Does.Contain(" with-credentials>"));
        });
    }

    [Test]
    public void OtherAttributes_AreRenderedAsWritten()
    {
        var html = Render(_site, h => h.Channel = "c", new TagHelperAttributeList { { "id", "live" }, { "class", "badge" } });

        Assert.That(html, Does.StartWith("<sse-stream id=\"live\" class=\"badge\" src=\"/sse/stream?channel=c\"></sse-stream>"));
    }

    [Test]
    public void SelfClosingTag_RendersAnEndTag()
    {
        var http = new DefaultHttpContext { RequestServices = _site.Services };
        Render(_site, h => h.Channel = "a", http: http);

        var html = Render(_site, h => h.Channel = "c", http: http, mode: TagMode.SelfClosing);

        Assert.That(html, Is.EqualTo("<sse-stream src=\"/sse/stream?channel=c\"></sse-stream>"), "HTML has no self-closing custom elements");
    }

    [Test]
    public void PathBase_PrefixesTheStreamUrlAndTheScript()
    {
        var html = Render(_site, h => h.Channel = "c", pathBase: "/shop");

        Assert.Multiple(() =>
        {
            Assert.That(Src(html), Is.EqualTo("/shop/sse/stream?channel=c"));
            Assert.That(html, Does.Match("<script src=\"/shop/_content/SseArea/sse-stream.js\\?v=[A-Za-z0-9_-]{43}\" type=\"module\">"));
        });
    }

    [Test]
    public void RoutePrefix_IsTheStreamUrlsPath()
    {
        var html = Render(_prefixed, h => h.Channels = "a,b", pathBase: "/shop");

        Assert.That(Src(html), Is.EqualTo("/shop/live/events?channel=a&channel=b"));
    }

    [Test]
    public void SeveralElementsOnOnePage_IncludeTheScriptOnce()
    {
        var http = new DefaultHttpContext { RequestServices = _site.Services };

        var first = Render(_site, h => h.Channel = "a", http: http);
        var second = Render(_site, h => h.Channel = "b", http: http);

        Assert.Multiple(() =>
        {
            Assert.That(first, Does.Contain("sse-stream.js"));
            Assert.That(second, Is.EqualTo("<sse-stream src=\"/sse/stream?channel=b\"></sse-stream>"));
        });
    }

    [Test]
    public async Task PageWithTwoElements_HasOneScript()
    {
        var html = await _site.Http.GetStringAsync("/test/page?channel=a&channel=b");

        Assert.Multiple(() =>
        {
            Assert.That(ElementTag().Count(html), Is.EqualTo(2));
            Assert.That(Regex.Count(html, "/_content/SseArea/sse-stream\\.js\\?v="), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Script_IsServedAtTheContentPath()
    {
        var http = _site.Http;
        var html = await http.GetStringAsync("/test/page");
        var script = Regex.Match(html, "src=\"(/_content/SseArea/sse-stream\\.js\\?v=[^\"]+)\"").Groups[1].Value;

        using var response = await http.GetAsync(WebUtility.HtmlDecode(script));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/javascript"));
        });
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("customElements.define(\"sse-stream\""));
    }

    /// <summary>Runs the tag helper as Razor would and returns the HTML it writes.</summary>
    private static string Render(TestSite<TestHost.Program> site, Action<SseStreamTagHelper> set, TagHelperAttributeList? attributes = null, string pathBase = "", HttpContext? http = null, TagMode mode = TagMode.StartTagAndEndTag)
    {
        http ??= new DefaultHttpContext { RequestServices = site.Services };
        http.Request.PathBase = pathBase;
        var helper = new SseStreamTagHelper(site.Services.GetRequiredService<LinkGenerator>(), site.Services.GetRequiredService<IFileVersionProvider>())
        {
            ViewContext = new ViewContext { HttpContext = http },
        };
        set(helper);

        attributes ??= [];
        var context = new TagHelperContext(SseStreamTagHelper.ElementName, attributes, new Dictionary<object, object>(), "id");
        var output = new TagHelperOutput(SseStreamTagHelper.ElementName, attributes, (_, _) => Task.FromResult<TagHelperContent>(new DefaultTagHelperContent()))
        {
            TagMode = mode,
        };
        helper.Init(context);
        helper.Process(context, output);

        using var writer = new StringWriter();
        output.WriteTo(writer, HtmlEncoder.Default);
        return writer.ToString();
    }

    /// <summary>The element's <c>src</c> as the browser reads it (HTML-decoded).</summary>
    private static string Src(string html)
    {
        var match = SrcAttribute().Match(html);
        Assert.That(match.Success, Is.True, $"no src in {html}");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    [GeneratedRegex("^<sse-stream[^>]* src=\"([^\"]*)\"")]
    private static partial Regex SrcAttribute();

    [GeneratedRegex("<sse-stream ")]
    private static partial Regex ElementTag();
}
