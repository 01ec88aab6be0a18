using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SseArea.Access;

/// <summary>
/// The authorization middleware's answer for endpoints of the <c>Sse</c> area. With endpoint
/// routing, <c>[Authorize]</c> on a stream controller (or a fallback policy, or
/// <c>RequireAuthorization()</c>) is enforced by the middleware before MVC runs, where a cookie
/// scheme would answer 302 to its login page; here a challenge or forbid becomes the area's 403
/// problem instead. Every other endpoint goes to the handler the app had.
/// </summary>
internal sealed class SseAuthorizationResultHandler(IAuthorizationMiddlewareResultHandler inner) : IAuthorizationMiddlewareResultHandler
{
    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if ((authorizeResult.Challenged || authorizeResult.Forbidden)
            && context.GetEndpoint()?.Metadata.GetMetadata<ControllerActionDescriptor>() is { } action
            && action.RouteValues.TryGetValue("area", out var area)
            && string.Equals(area, SseAreaNames.Area, StringComparison.OrdinalIgnoreCase))
        {
            var refusal = SseRefusalGuard.Refusal(context, signedIn: !authorizeResult.Challenged);
            return refusal.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), action));
        }

        return inner.HandleAsync(next, context, policy, authorizeResult);
    }

    /// <summary>
    /// Wraps whatever <see cref="IAuthorizationMiddlewareResultHandler"/> is registered so far (the
    /// framework's default when none is), once.
    /// </summary>
    public static void Decorate(IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Marker)))
        {
            return;
        }

        services.AddSingleton<Marker>();
        services.AddSingleton<AuthorizationMiddlewareResultHandler>();
        var existing = services.LastOrDefault(d => d.ServiceType == typeof(IAuthorizationMiddlewareResultHandler));
        if (existing is not null)
        {
            services.Remove(existing);
        }

        services.AddSingleton<IAuthorizationMiddlewareResultHandler>(provider => new SseAuthorizationResultHandler(existing switch
        {
            null => provider.GetRequiredService<AuthorizationMiddlewareResultHandler>(),
            { ImplementationInstance: IAuthorizationMiddlewareResultHandler instance } => instance,
            { ImplementationFactory: { } factory } => (IAuthorizationMiddlewareResultHandler)factory(provider),
            { ImplementationType: { } type } => (IAuthorizationMiddlewareResultHandler)ActivatorUtilities.CreateInstance(provider, type),
            _ => provider.GetRequiredService<AuthorizationMiddlewareResultHandler>(),
        }));
    }

    private sealed class Marker;
}
