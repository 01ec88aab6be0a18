using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SampleSite.Models;
using SampleSite.Services;
using SseArea;

namespace SampleSite.Controllers;

/// <summary>A public timeline on channel <c>users.social</c>: a status posted here reaches every open page.</summary>
public sealed class SocialController(ISsePublisher sse, RecentStatuses recent, TimeProvider clock, IOptions<DemoUsersOptions> users) : Controller
{
    /// <summary>The channel of the timeline.</summary>
    public const string Channel = "users.social";

    /// <summary>The event type of a posted status; its data is <c>{"user": ..., "status": ...}</c>.</summary>
    public const string StatusEvent = "status";

    [HttpGet("/social")]
    public IActionResult Index(long? sent)
    {
        if (sent is not null)
        {
            ViewData["Status"] = $"Posted: {sent} receiver(s).";
        }

        return View(new StatusForm { Name = User.Identity?.Name ?? string.Empty });
    }

    /// <summary>The latest statuses, newest first: what a page draws again when its stream says it may have missed some.</summary>
    [HttpGet("/social/recent")]
    public IActionResult Recent()
        => Json(recent.Latest().Select(s => new { user = s.User, status = s.Text, time = s.Time }));

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
                recent.Add(new Status(form.Name, form.Status, clock.GetUtcNow()));
                var receivers = await sse.PublishAsync(new { user = form.Name, status = form.Status }, type: StatusEvent, channel: Channel, cancellationToken: cancellationToken);
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

    private bool WantsJson() => Request.GetTypedHeaders().Accept.Any(a => a.MediaType == "application/json");
}
