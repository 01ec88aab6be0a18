using Microsoft.AspNetCore.Mvc;

namespace SseArea.TestHost.Controllers;

/// <summary>The page of <c>&lt;sse-stream&gt;</c> elements the tag helper and browser tests load.</summary>
[Route("test")]
public sealed class TestController : Controller
{
    /// <summary>
    /// One <c>&lt;sse-stream id="stream-N"&gt;</c> per <c>channel</c> value (one on the default
    /// channel when there is none), each writing its events into <c>&lt;ol id="feed-N"&gt;</c>,
    /// hearing the event types of <c>events</c> besides <c>message</c>.
    /// </summary>
    [HttpGet("page")]
    public IActionResult Page([FromQuery(Name = "channel")] string[] channels, [FromQuery] string? events, [FromQuery] string? share)
        => View(new TestPageModel(channels.Length == 0 ? [null] : [.. channels.Cast<string?>()], events, share));

    /// <summary>A page whose <c>&lt;sse-stream&gt;</c> the tag helper does not render (as in a view without <c>@addTagHelper *, SseArea</c>).</summary>
    [HttpGet("untagged")]
    public IActionResult Untagged() => View();

    /// <summary>A Razor sample of the docs, written by the docs test as <c>/Views/DocsSamples/{name}.cshtml</c> (compiled at runtime there).</summary>
    [HttpGet("docs-sample/{name:regex(^sample\\d+$)}")]
    public IActionResult DocsSample(string name) => View($"/Views/DocsSamples/{name}.cshtml");
}

/// <summary>The stream elements of the test page: one per channel (null: the default channel), with their <c>share</c> attribute.</summary>
public sealed record TestPageModel(IReadOnlyList<string?> Channels, string? Events, string? Share = null);
