using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SampleSite.Models;
using SampleSite.Services;
using SseArea;

namespace SampleSite.Controllers;

/// <summary>
/// A public timeline on channel <c>users.social</c>, server-rendered: a status posted here is rendered once from
/// <c>Views/Shared/_Status.cshtml</c> and prepended to the <c>statuses</c> list of every open page as a stream action
/// (<c>&lt;sse-stream actions&gt;</c>, Turbo); its author can delete it (a <c>remove</c> action).
/// </summary>
public sealed class SocialController(ISseViews views, ISsePublisher sse, RecentStatuses recent, TimeProvider clock, IOptions<DemoUsersOptions> users) : Controller
{
    /// <summary>The channel of the timeline. Only this site publishes on it: its pages apply the HTML it carries.</summary>
    public const string Channel = "users.social";

    /// <summary>The id of the timeline's list on every page.</summary>
    public const string ListId = "statuses";

    /// <summary>
    /// htmx's form of a new status (<c>/social/htmx</c>): an event of this type whose data is the rendered item, which
    /// <c>sse-swap="status-html" hx-swap="afterbegin"</c> inserts. Pages of stream actions ignore it (a typed event).
    /// </summary>
    public const string HtmxStatusEvent = "status-html";

    /// <summary>htmx's form of a removal: <c>&lt;li id="status-…" hx-swap-oob="delete"&gt;&lt;/li&gt;</c>, an out-of-band delete.</summary>
    public const string HtmxRemovedEvent = "status-removed";

    [HttpGet("/social/turbo")]
    public IActionResult Turbo() => View();

    [HttpGet("/social/htmx")]
    public IActionResult Htmx() => View();

    [HttpGet("/social")]
    public IActionResult Index(long? sent)
    {
        if (sent is not null)
        {
            ViewData["Status"] = $"Posted: {sent} receiver(s).";
        }

        return View(new StatusForm { Name = User.Identity?.Name ?? string.Empty });
    }

    /// <summary>The latest statuses as list items, newest first: what a page draws again when its stream says it may have missed some.</summary>
    [HttpGet("/social/recent")]
    public IActionResult Recent() => PartialView("_Statuses");

    /// <summary>
    /// Publishes the status. The page's script posts with <c>Accept: application/json</c> and stays
    /// put (so its own timeline shows the event); without script the browser is redirected back.
    /// </summary>
    [HttpPost("/social")]
    [ValidateAntiForgeryToken]
    [EnableRateLimiting(PublishingLimit.Policy)]
    public async Task<IActionResult> Post(StatusForm form, CancellationToken cancellationToken)
    {
        // Who may publish what is the app's call: a signed-in user posts as themselves, nobody posts as a user.
        if (User.Identity?.Name is { } name)
        {
            form.Name = name;
            ModelState.Remove(nameof(form.Name));
        }
        else if (users.Value.Users.Any(u => string.Equals(u.UserName, form.Name.Trim(), StringComparison.OrdinalIgnoreCase)))
        {
            ModelState.AddModelError(nameof(form.Name), $"'{form.Name}' is a user of this site: sign in to post as them.");
        }

        if (ModelState.IsValid)
        {
            try
            {
                var status = recent.Add(form.Name, form.Status, clock.GetUtcNow());

                // Rendered once; sent as a stream action (<sse-stream actions>, Turbo) and in htmx's form.
                var html = await views.RenderPartialAsync("_Status", status, cancellationToken);
                var receivers = await views.PublishActionAsync(Channel, SseStreamAction.Prepend, ListId, html, cancellationToken);
                await sse.PublishAsync(html, type: HtmxStatusEvent, channel: Channel, cancellationToken: cancellationToken);
                return WantsJson() ? Json(new { channel = Channel, receivers }) : RedirectToAction(nameof(Index), new { sent = receivers });
            }
            catch (SseBrokerException e)
            {
                ModelState.AddModelError(string.Empty, e.Message);
                Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            }
        }

        if (Response.StatusCode == StatusCodes.Status200OK)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
        }

        // Redis down is 503 (try again later), not the 400 of a form's error.
        return WantsJson() ? ValidationProblem(title: Response.StatusCode == StatusCodes.Status503ServiceUnavailable ? "Message not sent" : null, statusCode: Response.StatusCode, modelStateDictionary: ModelState) : View(nameof(Index), form);
    }

    /// <summary>Deletes a status of the signed-in user's own, from every open page (a <c>remove</c> action).</summary>
    [HttpPost("/social/delete")]
    [Authorize]
    [ValidateAntiForgeryToken]
    public async Task<IActionResult> Delete(string id, CancellationToken cancellationToken)
    {
        var status = recent.Find(id ?? string.Empty);
        if (status is null)
        {
            return Problem(statusCode: StatusCodes.Status404NotFound, detail: "No such status on this server (it may have scrolled out of the latest 50).");
        }

        if (!string.Equals(status.User, User.Identity?.Name, StringComparison.Ordinal))
        {
            return Problem(statusCode: StatusCodes.Status403Forbidden, detail: "Only its author can delete a status.");
        }

        recent.Remove(status.Id);
        try
        {
            await views.RemoveAsync(Channel, "status-" + status.Id, cancellationToken);
            await sse.PublishAsync($"<li id=\"status-{status.Id}\" hx-swap-oob=\"delete\"></li>", type: HtmxRemovedEvent, channel: Channel, cancellationToken: cancellationToken);
        }
        catch (SseBrokerException e)
        {
            return Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Deleted here, not sent to open pages", detail: e.Message);
        }

        return WantsJson() ? Json(new { channel = Channel, deleted = status.Id }) : LocalRedirect("~/social");
    }

    private bool WantsJson() => Request.GetTypedHeaders().Accept.Any(a => a.MediaType == "application/json");
}
