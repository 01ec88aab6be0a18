using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace SseArea.Internal.Access;

/// <summary>At startup, a channel rule naming an undefined policy stops the application instead of failing each request.</summary>
internal sealed class SseAccessStartupCheck(IActionDescriptorCollectionProvider actions, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var rules = actions.ActionDescriptors.Items
            .Where(a => a.RouteValues.TryGetValue("area", out var area) && string.Equals(area, SseAreaNames.Area, StringComparison.OrdinalIgnoreCase))
            .SelectMany(a => a.EndpointMetadata)
            .OfType<SseChannelAccessAttribute>()
            .Where(rule => rule.Policy is not null)
            .Distinct()
            .ToList();
        if (rules.Count == 0)
        {
            return;
        }

        var policies = services.GetRequiredService<IAuthorizationPolicyProvider>();
        foreach (var rule in rules)
        {
            if (await policies.GetPolicyAsync(rule.Policy!) is null)
            {
                throw new InvalidOperationException($"The Sse channel rule '{rule.Channel}' names the authorization policy '{rule.Policy}', which is not defined: add it with services.AddAuthorization(o => o.AddPolicy(\"{rule.Policy}\", ...)).");
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
