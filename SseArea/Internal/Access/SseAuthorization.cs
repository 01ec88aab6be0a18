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
    private readonly ConditionalWeakTable<SseChannelAccessAttribute, AuthorizationPolicy> _rulePolicies = [];

    /// <summary>
    /// The policy the endpoint asks for (<c>[Authorize]</c> data, policy and requirement metadata, MVC authorize filters,
    /// else the fallback policy): what the middleware would have enforced. <see langword="null"/>: none, or <c>[AllowAnonymous]</c>.
    /// </summary>
    public static async Task<AuthorizationPolicy?> EndpointPolicyAsync(HttpContext http, IList<object> actionMetadata, IEnumerable<IFilterMetadata> filters)
    {
        var policies = Policies(http);
        var metadata = http.GetEndpoint()?.Metadata ?? new EndpointMetadataCollection(actionMetadata);
        if (metadata.Any(item => item is IAllowAnonymous and not SseAuthorizesItself))
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

        // A global AuthorizeFilter of MVC steps aside for an endpoint that allows anonymous access: it is applied here.
        foreach (var filter in filters.OfType<AuthorizeFilter>())
        {
            var filterPolicy = filter.Policy ?? await AuthorizationPolicy.CombineAsync(filter.PolicyProvider ?? policies, filter.AuthorizeData ?? []);
            policy = Combine(policy, filterPolicy);
        }

        return policy;
    }

    /// <summary>The policy of a channel rule, as <c>[Authorize]</c> with the same roles, policy and schemes would ask.</summary>
    public async Task<AuthorizationPolicy> RulePolicyAsync(HttpContext http, SseChannelAccessAttribute rule)
    {
        var policies = Policies(http);
        if (_rulePolicies.TryGetValue(rule, out var cached))
        {
            return cached;
        }

        var policy = await AuthorizationPolicy.CombineAsync(policies, [rule.AuthorizeData])
            ?? throw new InvalidOperationException($"The channel rule '{rule.Channel}' gives no authorization policy.");
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
