using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseArea.Internal.Diagnostics;
using SseArea.Internal.Http;

namespace SseArea.Internal.Access;

/// <summary>Every stream action's first filter: the endpoint's authorization (403), the request read (400), the channel rules (403).</summary>
internal sealed class SseAccessFilter(SseAuthorization authorization, IOptions<SseOptions> options, ILogger<SseAccessFilter> logger, SseMetrics? metrics = null) : IAsyncResourceFilter
{
    private readonly SseOptions _options = options.Value;

    public async Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var http = context.HttpContext;
        var endpointPolicy = await SseAuthorization.EndpointPolicyAsync(http, context.ActionDescriptor.EndpointMetadata, context.Filters);
        if (endpointPolicy is not null && await SseAuthorization.EvaluateAsync(http, endpointPolicy) is { Succeeded: false } endpointResult)
        {
            context.Result = SseRefusalGuard.Refusal(http, signedIn: !endpointResult.Challenged);
            return;
        }

        var checkedAccess = endpointPolicy is not null;

        if (SseRequestReader.Read(http.Request, _options, out var error) is not { } request)
        {
            SseLog.BadRequest(logger, error!);
            metrics?.RequestInvalid();
            context.Result = SseProblem.Create(http, StatusCodes.Status400BadRequest, "Invalid stream request", error!);
            return;
        }

        http.Features.Set(request);
        foreach (var rule in context.ActionDescriptor.EndpointMetadata.OfType<SseChannelAccessAttribute>())
        {
            var matched = request.Channels.Where(rule.Matches).ToList();
            if (matched.Count > 0
                && await authorization.EvaluateRuleAsync(http, rule) is { Succeeded: false } result)
            {
                context.Result = new SseChannelRefusedResult(matched, Reason(rule, result));
                return;
            }

            checkedAccess |= matched.Count > 0;
        }

        if (checkedAccess)
        {
            http.Items[SseStreamHandler.AccessCheckedKey] = true; // the stream ends for a new check (Sse:AccessRecheckInterval)
        }

        await next();
    }

    private static string Reason(SseChannelAccessAttribute rule, PolicyAuthorizationResult result)
    {
        if (result.Challenged)
        {
            return "Sign in to follow this channel.";
        }

        var roles = rule.Roles?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var needs = new[]
        {
            roles.Length switch { 0 => null, 1 => $"the role {roles[0]}", _ => $"one of the roles {string.Join(", ", roles)}" },
            rule.Policy is null ? null : $"the policy {rule.Policy}",
        }.OfType<string>().ToList();
        return needs.Count == 0 ? "The signed-in user may not follow this channel." : $"It requires {string.Join(" and ", needs)}.";
    }
}
