using Microsoft.Extensions.DependencyInjection;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Browser;

/// <summary>
/// <c>&lt;sse-stream actions&gt;</c> in Firefox ESR and Chromium: the seven Turbo Streams actions and <c>targets</c> applied as
/// <see cref="ISseViews"/> publishes them, no script run from inserted markup, and nothing applied by an element that did
/// not opt in (even on the connection it shares with one that did).
/// </summary>
[TestFixture(BrowserKind.Firefox)]
[TestFixture(BrowserKind.Chromium)]
[CancelAfter(90_000)]
public sealed class StreamActionsTests(BrowserKind kind)
{
    private TestSite<TestHost.Program> _site = null!;
    private FieldPage? _page;
    private string _actions = null!;
    private string _plain = null!;

    private ISseViews Views => _site.Services.GetRequiredService<ISseViews>();

    [SetUp]
    public async Task StartAsync()
    {
        var browser = await FieldBrowser.GetAsync(kind);
        _site = await TestSite.StartAsync(new TestSiteOptions());
        _page = await browser.NewPageAsync();
        _actions = "views." + Guid.NewGuid().ToString("N");
        _plain = "plain." + Guid.NewGuid().ToString("N");
        Assert.That(await _page!.GotoAsync(new Uri(_site.Address, $"/test/page?channel={_actions}&channel={_plain}").ToString()), Is.EqualTo(200));
        await _page!.WaitAsync("() => [...document.querySelectorAll('sse-stream')].every(s => s.getAttribute('state') === 'open')", "both elements open");
        await _page!.EvaluateAsync("""
            () => {
              document.getElementById("stream-0").setAttribute("actions", "");
              const area = document.createElement("div");
              area.id = "area";
              area.innerHTML = '<ul id="list"><li id="item-1">one</li></ul><p id="p-replace">old</p><div id="p-update"><span>old</span></div>'
                + '<p id="p-remove">bye</p><p id="anchor">anchor</p><p class="many">a</p><p class="many">b</p>';
              document.body.append(area);
            }
            """);
    }

    [TearDown]
    public async Task StopAsync()
    {
        if (_page is null)
        {
            return; // the browser is missing here (FieldBrowser ignored the test)
        }

        var errors = await _page.ErrorsAsync();
        await _page.CloseAsync();
        await _site.DisposeAsync();
        Assert.That(errors, Is.Empty, "script errors on the page");
    }

    [Test]
    public async Task EachAction_AndTargets_IsApplied_AsTurboDoes()
    {
        await Views.PublishActionAsync(_actions, SseStreamAction.Append, "list", "<li id=\"item-2\">two</li>");
        await Views.PublishActionAsync(_actions, SseStreamAction.Prepend, "list", "<li id=\"item-0\">zero</li>");
        await Views.PublishActionAsync(_actions, SseStreamAction.Append, "list", "<li id=\"item-1\">one again</li>");
        await Views.PublishActionAsync(_actions, SseStreamAction.Replace, "p-replace", "<p id=\"p-replaced\">new</p>");
        await Views.PublishActionAsync(_actions, SseStreamAction.Update, "p-update", "<em>new</em>");
        await Views.PublishActionAsync(_actions, SseStreamAction.Remove, "p-remove", null);
        await Views.PublishActionAsync(_actions, SseStreamAction.Before, "anchor", "<p>before</p>");
        await Views.PublishActionAsync(_actions, SseStreamAction.After, "anchor", "<p>after</p>");
        await Views.PublishActionToAllAsync(_actions, SseStreamAction.Update, "#area .many", "<i>x</i>");
        await Views.PublishActionAsync(_actions, SseStreamAction.Append, "list", "<li id=\"last\">last</li>");

        await _page!.WaitAsync("() => document.getElementById('last') !== null", "the last action applied");
        var html = await _page!.EvaluateAsync("() => document.getElementById('area').innerHTML");
        Assert.That(html.GetString(), Is.EqualTo(
            "<ul id=\"list\"><li id=\"item-0\">zero</li><li id=\"item-2\">two</li><li id=\"item-1\">one again</li><li id=\"last\">last</li></ul>"
            + "<p id=\"p-replaced\">new</p><div id=\"p-update\"><em>new</em></div><p>before</p><p id=\"anchor\">anchor</p><p>after</p>"
            + "<p class=\"many\"><i>x</i></p><p class=\"many\"><i>x</i></p>"));
        Assert.That((await _page!.EvaluateAsync("() => document.getElementById('feed-0').children.length")).GetInt32(), Is.Zero, "an action is not shown as text");
    }

    [Test]
    public async Task InsertedMarkup_NeverRunsScript()
    {
        await Views.PublishActionAsync(_actions, SseStreamAction.Append, "list", """
            <li id="s1">safe<script>window.ran = "script";</script><img id="bad" src="data:," onerror="window.ran = 'onerror'"><a id="js" href=" javascript:window.ran='href'">x</a><svg><script>window.ran = "svg";</script></svg><iframe srcdoc="<script>parent.ran='srcdoc'</script>"></iframe></li>
            """);

        await _page!.WaitAsync("() => document.getElementById('s1') !== null", "the item appended");
        // A broken image the page adds itself: once its error event has fired, the inserted one's has had its chance too.
        await _page!.EvaluateAsync("""
            () => new Promise((resolve) => {
              const control = new Image();
              control.onerror = () => setTimeout(resolve, 50);
              control.src = "data:,";
            })
            """);
        var seen = await _page!.EvaluateAsync("""
            () => ({
              ran: window.ran ?? null,
              scripts: document.querySelectorAll('#area script, #area iframe').length,
              onerror: document.getElementById('bad').hasAttribute('onerror'),
              href: document.getElementById('js').hasAttribute('href'),
              text: document.getElementById('s1').textContent,
            })
            """);
        Assert.Multiple(() =>
        {
            Assert.That(seen.GetProperty("ran").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null), "no script ran");
            Assert.That(seen.GetProperty("scripts").GetInt32(), Is.Zero);
            Assert.That(seen.GetProperty("onerror").GetBoolean(), Is.False);
            Assert.That(seen.GetProperty("href").GetBoolean(), Is.False);
            Assert.That(seen.GetProperty("text").GetString(), Is.EqualTo("safex"));
        });
    }

    [Test]
    public async Task AnElementThatDidNotOptIn_ShowsAnActionAsText_AndAppliesNothing()
    {
        await Views.PublishActionAsync(_plain, SseStreamAction.Remove, "list", null);
        await Views.PublishActionAsync(_actions, SseStreamAction.Append, "list", "<li id=\"after-plain\">applied</li>");

        await _page!.WaitAsync("() => document.querySelector('#feed-1 li')?.textContent === '<turbo-stream action=\"remove\" target=\"list\"></turbo-stream>'", "the action as a line of text");
        await _page!.WaitAsync("() => document.getElementById('after-plain') !== null", "the opted-in element's action");
        Assert.That((await _page!.EvaluateAsync("() => document.getElementById('list') !== null")).GetBoolean(), Is.True, "the list was not removed");
    }

    [Test]
    public async Task TheMessageEvent_StillReachesListeners_WithTheActionText()
    {
        await _page!.EvaluateAsync("() => document.getElementById('stream-0').addEventListener('message', (e) => { window.heard = e.detail.data; })");

        await Views.PublishActionAsync(_actions, SseStreamAction.Update, "p-update", "<b>bold</b>");

        await _page!.WaitAsync("() => window.heard !== undefined", "the message event");
        Assert.That((await _page!.EvaluateAsync("() => window.heard")).GetString(), Is.EqualTo("<turbo-stream action=\"update\" target=\"p-update\"><template><b>bold</b></template></turbo-stream>"));
    }
}
