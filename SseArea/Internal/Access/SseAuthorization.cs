using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Authorization;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;
using SseArea.Internal.Http;

namespace SseArea.Internal.Access;

/// <summary>ASP.NET Core's authorization of stream requests, as the middleware does it, but a failure is a 403, never a challenge.</summary>
internal sealed class SseAuthorization
{
    private static readonly AuthorizationPolicy SignedIn = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
    private readonly ConditionalWeakTable<SseChannelAccessAttribute, AuthorizationPolicy> _rulePolicies = [];

    /// <summary>
    /// The policy the endpoint asks for (<c>[Authorize]</c> data, policy and requirement metadata, MVC authorize filters,
    /// else the fallback policy): what the middleware would have enforced. <see langword="null"/>: none, or <c>[AllowAnonymous]</c>.
    /// </summary>
    public static async Task<AuthorizationPolicy?> EndpointPolicyAsync(HttpContext http, IList<object> actionMetadata, IEnumerable<IFilterMetadata> filters)
    {
        var policies = Policies(http);
        var endpoint = http.GetEndpoint()?.Metadata;
        var metadata = endpoint?.GetMetadata<SseDeferredAuthorization>()?.Original ?? endpoint ?? new EndpointMetadataCollection(actionMetadata);
        if (metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return null;
        }

        // CombineAsync answers the fallback policy when the endpoint names none, as the middleware does.
        var policy = await AuthorizationPolicy.CombineAsync(policies, metadata.GetOrderedMetadata<IAuthorizeData>(), metadata.GetOrderedMetadata<AuthorizationPolicy>());
        var requirements = metadata.GetOrderedMetadata<IAuthorizationRequirementData>().SelectMany(data => data.GetRequirements()).ToList();
        if (requirements.Count > 0)
        {
            policy = Combine(policy, new AuthorizationPolicyBuilder().AddRequirements([.. requirements]).Build());
        }

        // MVC's own AuthorizeFilters (a global one) step aside for SseDeferredAuthorizeFilter: they are applied here.
        foreach (var filter in filters.OfType<AuthorizeFilter>().Where(filter => filter is not SseDeferredAuthorizeFilter))
        {
            var filterPolicy = filter.Policy ?? await AuthorizationPolicy.CombineAsync(filter.PolicyProvider ?? policies, filter.AuthorizeData ?? []);
            policy = Combine(policy, filterPolicy);
        }

        return policy;
    }

    /// <summary>
    /// Evaluates a channel rule as <c>[Authorize]</c> with the same roles, policy and schemes would, and always with a
    /// signed-in user (a policy alone included). The user its schemes authenticate is the rule's only: it is put back.
    /// </summary>
    public async Task<PolicyAuthorizationResult> EvaluateRuleAsync(HttpContext http, SseChannelAccessAttribute rule)
    {
        var user = http.User;
        try
        {
            return await EvaluateAsync(http, await RulePolicyAsync(http, rule));
        }
        finally
        {
            http.User = user;
        }
    }

    private async Task<AuthorizationPolicy> RulePolicyAsync(HttpContext http, SseChannelAccessAttribute rule)
    {
        var policies = Policies(http);
        if (_rulePolicies.TryGetValue(rule, out var cached))
        {
            return cached;
        }

        var policy = AuthorizationPolicy.Combine(SignedIn, (await AuthorizationPolicy.CombineAsync(policies, [rule.AuthorizeData]))!);
        if (policies.AllowsCachingPolicies)
        {
            _rulePolicies.AddOrUpdate(rule, policy);
        }

        return policy;
    }

    /// <summary>Authenticates with the policy's schemes (setting <see cref="HttpContext.User"/>) and evaluates it.</summary>
    public static async Task<PolicyAuthorizationResult> EvaluateAsync(HttpContext http, AuthorizationPolicy policy)
    {
        var evaluator = http.RequestServices.GetRequiredService<IPolicyEvaluator>();
        var authentication = await evaluator.AuthenticateAsync(policy, http);
        return await evaluator.AuthorizeAsync(policy, authentication, http, http);
    }

    // Resolved per request: an application's provider may be scoped.
    private static IAuthorizationPolicyProvider Policies(HttpContext http) => http.RequestServices.GetRequiredService<IAuthorizationPolicyProvider>();

    private static AuthorizationPolicy? Combine(AuthorizationPolicy? policy, AuthorizationPolicy? other)
        => policy is null ? other : other is null ? policy : AuthorizationPolicy.Combine(policy, other);
}

/// <summary>
/// On every stream action, the closest (so the effective) <see cref="AuthorizeFilter"/>: it lets every request through,
/// MVC's other AuthorizeFilters (a global one) step aside for it, and <c>SseAccessFilter</c> applies them, with a 403.
/// </summary>
internal sealed class SseDeferredAuthorizeFilter() : AuthorizeFilter(SseDeferredAuthorization.Policy)
{
    public override Task OnAuthorizationAsync(AuthorizationFilterContext context) => Task.CompletedTask;
}
