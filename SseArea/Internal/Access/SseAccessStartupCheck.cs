using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SseArea.Areas.Sse.Controllers;

namespace SseArea.Internal.Access;

/// <summary>
/// At startup, a channel rule that would protect nothing stops the application instead of leaving a channel public in
/// silence: a rule naming an undefined policy, or <c>[SseChannelAccess]</c> on a type (or its methods) that is not the
/// Sse area's stream controller, where it has no effect.
/// </summary>
internal sealed class SseAccessStartupCheck(IActionDescriptorCollectionProvider actions, ApplicationPartManager parts, IServiceProvider services) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var misplaced = parts.ApplicationParts.OfType<IApplicationPartTypeProvider>().SelectMany(part => part.Types)
            .Where(type => !typeof(StreamController).IsAssignableFrom(type) && HasRule(type))
            .Select(type => type.FullName)
            .Distinct()
            .ToList();
        if (misplaced.Count > 0)
        {
            throw new InvalidOperationException(
                $"[SseChannelAccess] on {string.Join(", ", misplaced)} has no effect: channel rules apply only to the Sse area's stream. "
                + "Register the rule with builder.Services.AddSse().AddChannelAccess(\"channel\", roles: ...), or put the attribute on your own "
                + "controller deriving from SseArea.Areas.Sse.Controllers.StreamController.");
        }

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

    private static bool HasRule(System.Reflection.TypeInfo type)
        => type.IsDefined(typeof(SseChannelAccessAttribute), inherit: false)
            || type.DeclaredMethods.Any(method => method.IsDefined(typeof(SseChannelAccessAttribute), inherit: false));
}
