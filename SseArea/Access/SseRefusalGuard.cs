using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace SseArea.Access;

/// <summary>
/// Keeps the area's refusals machine-readable: an <see cref="ForbidResult"/> or
/// <see cref="ChallengeResult"/> from any filter of the area (an <c>[Authorize]</c> on a derived
/// controller, a filter calling <c>Forbid()</c>) would let a cookie scheme answer 302 to a login
/// page, which an EventSource follows to an HTML page and then fails on. It becomes a 403
/// problem instead. An always-run result filter sees short-circuits of every earlier stage.
/// </summary>
internal sealed class SseRefusalGuard : IAlwaysRunResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is ForbidResult or ChallengeResult)
        {
            // An authorization filter runs before the request is parsed: name the channels as asked.
            var http = context.HttpContext;
            IReadOnlyList<string> channels = http.GetSseStreamRequest()?.Channels
                ?? [.. http.Request.Query["channel"].Where(c => !string.IsNullOrEmpty(c)).Select(c => c!).Distinct(StringComparer.Ordinal)];
            if (channels.Count == 0)
            {
                channels = [http.RequestServices.GetRequiredService<IOptions<SseOptions>>().Value.DefaultChannel];
            }

            context.Result = new SseChannelRefusedResult(
                channels,
                context.HttpContext.User.Identity?.IsAuthenticated == true
                    ? "The signed-in user may not follow this stream."
                    : "Sign in to follow this stream.");
        }
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
