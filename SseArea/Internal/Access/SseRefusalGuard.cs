using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

using SseArea.Internal.Http;

namespace SseArea.Internal.Access;

/// <summary>
/// Turns a <see cref="ForbidResult"/> or <see cref="ChallengeResult"/> from any filter of the area into a 403 problem: a
/// cookie scheme would answer 302 to a login page, which an EventSource follows and then fails on. An always-run
/// result filter sees short-circuits of every earlier stage.
/// </summary>
internal sealed class SseRefusalGuard : IAlwaysRunResultFilter
{
    public void OnResultExecuting(ResultExecutingContext context)
    {
        if (context.Result is ForbidResult or ChallengeResult)
        {
            context.Result = Refusal(context.HttpContext, context.HttpContext.User.Identity?.IsAuthenticated == true);
        }
    }

    /// <summary>The refusal for a request authorization turned away, perhaps before it was parsed: it names the channels as asked.</summary>
    internal static SseChannelRefusedResult Refusal(HttpContext http, bool signedIn)
    {
        var channels = http.GetSseStreamRequest()?.Channels
            ?? SseRequestReader.AskedChannels(http.Request, http.RequestServices.GetRequiredService<IOptions<SseOptions>>().Value.DefaultChannel);

        return new SseChannelRefusedResult(channels, signedIn
            ? "The signed-in user may not follow this stream."
            : "Sign in to follow this stream.");
    }

    public void OnResultExecuted(ResultExecutedContext context)
    {
    }
}
