using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace SseArea.Internal.Dashboard;

/// <summary>The dashboard page: this server's figures now, then every server's live on the dashboard's channel.</summary>
[Area(SseAreaNames.Area)]
[Route("sse/dashboard")] // replaced by DashboardConvention with SseDashboardOptions.Path
internal sealed class DashboardController(IOptions<SseDashboardOptions> dashboard, IOptions<SseOptions> sse, DashboardFigures figures) : Controller
{
    [HttpGet("")]
    public async Task<IActionResult> Index()
    {
        var snapshot = await figures.TakeAsync(HttpContext.RequestAborted);
        return View(new DashboardPage(dashboard.Value.Channel, sse.Value.RoutePrefix.Trim('/'), snapshot));
    }
}

/// <summary>What the page is rendered from.</summary>
internal sealed record DashboardPage(string Channel, string StreamPath, DashboardSnapshot Snapshot);
