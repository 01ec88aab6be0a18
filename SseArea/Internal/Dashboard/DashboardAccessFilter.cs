using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseArea.Internal.Access;
using SseArea.Internal.Http;

namespace SseArea.Internal.Dashboard;

/// <summary>The dashboard's door: the user must meet its policy; anyone else gets 403 with a problem body, never a challenge.</summary>
internal sealed class DashboardAccessFilter(IOptions<SseDashboardOptions> options) : IAsyncAuthorizationFilter
{
    public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
    {
        var http = context.HttpContext;
        // Resolved per request, as the area's own checks do: an application's policy provider may be scoped.
        var policy = await http.RequestServices.GetRequiredService<IAuthorizationPolicyProvider>().GetPolicyAsync(options.Value.Policy)
            ?? throw new InvalidOperationException($"The SseArea dashboard's policy '{options.Value.Policy}' is not registered: add it with AddAuthorization(o => o.AddPolicy(\"{options.Value.Policy}\", ...)).");
        if (!(await SseAuthorization.EvaluateAsync(http, policy)).Succeeded)
        {
            context.Result = SseProblem.Create(http, StatusCodes.Status403Forbidden, "Forbidden", "The SseArea dashboard is open only to users its policy admits.");
        }
    }
}
