using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using SampleSite.Models;
using SampleSite.Services;
using SseArea;

namespace SampleSite.Controllers;

public sealed class HomeController(ISsePublisher sse, IOptions<SseOptions> options) : Controller
{
    /// <summary>A live feed of the default channel and a form to publish to any channel.</summary>
    [HttpGet("/")]
    public IActionResult Index(string? watch, long? sent, string? to)
    {
        ViewData["DefaultChannel"] = options.Value.DefaultChannel;
        ViewData["Watch"] = string.IsNullOrEmpty(watch) ? options.Value.DefaultChannel : watch;
        if (sent is not null)
        {
            ViewData["Status"] = $"Sent to '{to}': {sent} receiver(s).";
        }

        return View(new PublishForm { Channel = watch });
    }

    /// <summary>The Flask-SSE quickstart's <c>/hello</c>.</summary>
    [HttpGet("/hello")]
    public async Task<IActionResult> Hello(CancellationToken cancellationToken)
    {
        try
        {
            await sse.PublishAsync(new { message = "Hello!" }, type: "greeting", cancellationToken: cancellationToken);
        }
        catch (SseBrokerException e)
        {
            return Problem(e.Message, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Message not sent");
        }

        return Content("Message sent!");
    }

    /// <summary>
    /// Publishes the form's text to the named channel. The page's script posts it with
    /// <c>Accept: application/json</c> and stays put (so its own feed shows the event); without
    /// script the browser posts the form and is redirected back.
    /// </summary>
    [HttpPost("/publish")]
    [ValidateAntiForgeryToken]
    [EnableRateLimiting(PublishingLimit.Policy)]
    public async Task<IActionResult> Publish(PublishForm form, CancellationToken cancellationToken)
    {
        var channel = string.IsNullOrEmpty(form.Channel) ? options.Value.DefaultChannel : form.Channel;
        // Channel rules guard who may follow a channel; who may publish where is the app's own call: the sample's
        // own channels for everyone, analytics for admins, nothing else (every new channel name would cost memory).
        string[] open = [options.Value.DefaultChannel, .. PublishForm.OpenChannels];
        if (channel == AnalyticsPublisher.Channel && !User.IsInRole("Admin"))
        {
            ModelState.AddModelError(nameof(form.Channel), "Only admins may publish to the analytics channel.");
        }
        else if (channel != AnalyticsPublisher.Channel && !open.Contains(channel, StringComparer.Ordinal))
        {
            ModelState.AddModelError(nameof(form.Channel), $"Publish to one of the sample's channels: {string.Join(", ", open)}.");
        }

        if (ModelState.IsValid)
        {
            try
            {
                var receivers = await sse.PublishAsync(form.Message, type: string.IsNullOrEmpty(form.Type) ? null : form.Type, channel: channel, cancellationToken: cancellationToken);
                return WantsJson()
                    ? Json(new { channel, receivers })
                    : RedirectToAction(nameof(Index), new { watch = channel, sent = receivers, to = channel });
            }
            catch (ArgumentException e)
            {
                // The message without ArgumentException's " (Parameter 'channel')" suffix.
                var reason = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", string.Empty, StringComparison.Ordinal);
                ModelState.AddModelError(e.ParamName == "channel" ? nameof(form.Channel) : string.Empty, reason);
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

        if (WantsJson())
        {
            // Redis down is 503 (try again later), not the 400 of a form's error.
            return ValidationProblem(title: Response.StatusCode == StatusCodes.Status503ServiceUnavailable ? "Message not sent" : null, statusCode: Response.StatusCode, modelStateDictionary: ModelState);
        }

        ViewData["DefaultChannel"] = options.Value.DefaultChannel;
        ViewData["Watch"] = channel;
        return View(nameof(Index), form);
    }

    private bool WantsJson() => Request.GetTypedHeaders().Accept.Any(a => a.MediaType == "application/json");

    [Route("/Home/Error")]
    public IActionResult Error() => Problem("Something went wrong.");
}
