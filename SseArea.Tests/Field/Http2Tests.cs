using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Field;

/// <summary>
/// HTTP/2, where a browser's 6-connections-per-host limit of HTTP/1.1 does not apply: 20 streams of their own
/// (<c>share="none"</c>) on one page, in Firefox ESR and Chromium, over Kestrel's own HTTPS with HTTP/2 and over nginx's
/// <c>listen ssl http2</c> in front of plain Kestrel. Each test's certificate is made for it; the browsers accept it.
/// </summary>
[TestFixture(BrowserKind.Firefox)]
[TestFixture(BrowserKind.Chromium)]
[CancelAfter(90_000)]
public sealed class Http2Tests(BrowserKind kind)
{
    private const int Streams = 20;

    [Test]
    public async Task KestrelHttpsWithHttp2_CarriesTwentyStreamsOnOnePage()
    {
        using var certificate = TestCertificate.Create();
        await using var site = await TestSite.StartAsync(new TestSiteOptions { Certificate = certificate });
        Assert.That(site.Address.Scheme, Is.EqualTo("https"));

        await TwentyStreamsAsync(site, site.Address);
    }

    [Test]
    public async Task NginxWithHttp2InFront_CarriesTwentyStreamsOnOnePage()
    {
        await using var site = await TestSite.StartAsync();
        await using var nginx = await NginxProxy.StartAsync(site.Address, http2: true);

        await TwentyStreamsAsync(site, nginx.Address);
    }

    /// <summary>The contrast, kept cheap: over HTTP/1.1 the same page gets 6 streams, and the other 14 wait.</summary>
    [Test]
    public async Task OverHttp11_TheSamePageStallsAtSix()
    {
        await using var site = await TestSite.StartAsync();
        var page = await (await FieldBrowser.GetAsync(kind)).NewPageAsync();
        try
        {
            var channels = Enumerable.Range(0, Streams).Select(i => $"h1.{i}.{Guid.NewGuid():N}").ToList();
            var url = new Uri(site.Address, "/test/page?share=none&" + string.Join('&', channels.Select(c => "channel=" + c))).ToString();
            Assert.That(await page.GotoAsync(url), Is.EqualTo(200));
            await page.WaitAsync("() => document.querySelectorAll('sse-stream[state=open]').length === 6", "6 streams open");
            var open = (await page.EvaluateAsync("() => [...document.querySelectorAll('sse-stream')].findIndex(s => s.getAttribute('state') === 'open')")).GetInt32();

            // A round trip on an open stream, so the others had their chance meanwhile; no fixed sleep.
            await site.Publisher.PublishAsync("round trip", channel: channels[open]);
            await page.WaitAsync($"() => document.querySelector('#feed-{open} li')?.textContent === 'round trip'", "the round trip");
            var states = await page.EvaluateAsync("() => [...document.querySelectorAll('sse-stream')].map(s => s.getAttribute('state'))");
            var counts = states.EnumerateArray().GroupBy(s => s.GetString()).ToDictionary(g => g.Key!, g => g.Count());
            Assert.That(counts, Is.EquivalentTo(new Dictionary<string, int> { ["open"] = 6, ["connecting"] = Streams - 6 }));
            Assert.That(site.Metrics.Sum("sse.connections.current"), Is.EqualTo(6), "the server saw 6 streams");
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    private async Task TwentyStreamsAsync(TestSite<TestHost.Program> site, Uri address)
    {
        var page = await (await FieldBrowser.GetAsync(kind)).NewPageAsync();
        try
        {
            var channels = Enumerable.Range(0, Streams).Select(i => $"h2.{i}.{Guid.NewGuid():N}").ToList();
            var url = new Uri(address, "/test/page?share=none&" + string.Join('&', channels.Select(c => "channel=" + c))).ToString();
            Assert.That(await page.GotoAsync(url), Is.EqualTo(200));
            await page.WaitAsync($"() => document.querySelectorAll('sse-stream[state=open]').length === {Streams}", $"all {Streams} streams open");
            Assert.That((await page.EvaluateAsync("() => performance.getEntriesByType('navigation')[0].nextHopProtocol")).GetString(), Is.EqualTo("h2"));

            for (var i = 0; i < Streams; i++)
            {
                await site.Publisher.PublishAsync("to " + i, channel: channels[i]);
            }

            await page.WaitAsync(
                $"() => [...Array({Streams}).keys()].every(i => document.querySelector(`#feed-${{i}} li`)?.textContent === `to ${{i}}`)",
                "each stream's event in its feed");
            Assert.That(site.Metrics.Sum("sse.connections.current"), Is.EqualTo(Streams), "20 streams, each its own");
            Assert.That(await page.ErrorsAsync(), Is.Empty);
        }
        finally
        {
            await page.CloseAsync();
        }
    }
}
