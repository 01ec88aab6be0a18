using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace SampleSite.Controllers;

/// <summary>
/// The admin dashboard of Flask-SSE's access-control example: live figures from the
/// <c>analytics</c> channel, which only the role Admin may follow (see Program.cs).
/// </summary>
[Authorize(Roles = "Admin")]
public sealed class AnalyticsController : Controller
{
    [HttpGet("/analytics")]
    public IActionResult Index() => View();
}
