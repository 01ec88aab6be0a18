using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using SseArea.Internal.Http;

namespace SseArea.Areas.Sse.Controllers;

/// <summary>
/// The stream endpoint of the <c>Sse</c> area (Flask-SSE's <c>sse.stream</c>): <c>GET /sse/stream?channel=users.social</c>
/// answers <c>text/event-stream</c>. Public because MVC discovers controllers that way, and so that an application can
/// derive its own in its <c>Sse</c> area to put <c>[SseChannelAccess]</c> or <c>[Authorize]</c> on it; call it through HTTP.
/// </summary>
/// <remarks>
/// The route is <see cref="SseOptions.RoutePrefix"/>; link with <c>Url.Action("Stream", "Stream", new { area = "Sse", channel = "news" })</c>.
/// </remarks>
[Area(SseAreaNames.Area)]
[Route(SseAreaNames.DefaultRoutePrefix)]
[SseStreamEndpoint]
public class StreamController : ControllerBase
{
    /// <summary>
    /// Streams the channels of the repeated <c>channel</c> query values (none: <see cref="SseOptions.DefaultChannel"/>).
    /// Answers 400 with a problem body for an invalid request, 403 for a refused one, 503 when the broker is unreachable.
    /// </summary>
    /// <returns>The stream, or the problem answer.</returns>
    [HttpGet("", Name = SseAreaNames.StreamRouteName)]
    [DisableRequestTimeout]
    public virtual Task<IActionResult> Stream()
        => HttpContext.RequestServices.GetRequiredService<SseStreamHandler>().OpenAsync(HttpContext);
}
