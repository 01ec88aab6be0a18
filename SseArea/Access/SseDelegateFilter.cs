using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;

namespace SseArea.Access;

/// <summary>An area filter written as one delegate: <see langword="false"/> refuses the whole request with 403.</summary>
internal sealed class SseDelegateFilter(Func<SseStreamRequest, HttpContext, ValueTask<bool>> allow) : IAsyncActionFilter
{
    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        if (context.HttpContext.GetSseStreamRequest() is { } request && !await allow(request, context.HttpContext))
        {
            context.Result = new SseChannelRefusedResult(request.Channels, "Refused by an access rule of the site.");
            return;
        }

        await next();
    }
}
