using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using SseArea.Benchmarks.LiveViews;
using SseArea.Internal.Fanout;
using SseArea.Internal.Views;

namespace SseArea.Benchmarks;

/// <summary>
/// What a live view costs per publish: rendering a partial view or a component once (outside any request, as
/// <see cref="ISseViews"/> does), and the whole publish (render, Turbo Streams text, the in-memory broker with no
/// subscriber). The per-subscriber side is <see cref="LiveViewFanOutBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class LiveViewBenchmarks
{
    private static readonly Card Model = new(42, "alice", "Life is <b>good</b> & getting better");
    private readonly Dictionary<string, object?> _parameters = new() { ["Card"] = Model };
    private WebApplication _app = null!;
    private ISseViews _views = null!;

    [GlobalSetup]
    public void Setup()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddControllersWithViews().AddApplicationPart(typeof(LiveViewBenchmarks).Assembly);
        builder.Services.AddSse();
        _app = builder.Build();
        _views = _app.Services.GetRequiredService<ISseViews>();
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _app.DisposeAsync();

    /// <summary>An MVC partial view, rendered with the view engine in a scope of its own.</summary>
    [Benchmark(Baseline = true)]
    public Task<string> RenderPartial() => _views.RenderPartialAsync("_Card", Model);

    /// <summary>The same markup as a Razor component, through <c>HtmlRenderer</c>.</summary>
    [Benchmark]
    public Task<string> RenderComponent() => _views.RenderComponentAsync<CardComponent>(_parameters);

    /// <summary>A whole <c>AppendAsync</c> of the partial: render, wrap, publish (in memory, no subscriber).</summary>
    [Benchmark]
    public Task<long> AppendPartial() => _views.AppendAsync("bench.live", "cards", "_Card", Model);

    /// <summary>A whole <c>AppendAsync</c> of the component.</summary>
    [Benchmark]
    public Task<long> AppendComponent() => _views.AppendAsync<CardComponent>("bench.live", "cards", _parameters);
}

/// <summary>
/// Fanning a live-view event out to N listeners, beside a plain event: the frame is formatted once and every
/// listener gets the same object, so the cost per subscriber must not depend on what the event carries.
/// </summary>
[MemoryDiagnoser]
public class LiveViewFanOutBenchmarks : FanOutBenchmarks
{
    private readonly Internal.Wire.SseFrame _action = new(System.Text.Encoding.UTF8.GetBytes(
        new SseMessage(TurboStreamText.ForTarget(SseStreamAction.Append, "cards", "<li id=\"card-42\" class=\"status\"><span class=\"avatar\">a</span><strong class=\"user\">alice</strong><p>Life is &lt;b&gt;good&lt;/b&gt; &amp; getting better</p></li>\n")).ToString()), Channel);

    /// <summary>A Turbo Streams action (a rendered partial) to every listener; the inherited <see cref="FanOutBenchmarks.Deliver"/> is the plain event.</summary>
    [Benchmark]
    public int DeliverLiveViewEvent() => Registry.Deliver(Channel, _action, out _);
}
