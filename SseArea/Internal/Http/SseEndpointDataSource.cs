using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Primitives;
using SseArea.Areas.Sse.Controllers;

namespace SseArea.Internal.Http;

/// <summary>
/// What <c>app.MapSse()</c> maps: the stream action (the library's <c>StreamController</c>, or the application's own
/// subclass), and the dashboard's page when it is on, as endpoints of their own, run by MVC's invoker with the action's filters and metadata, so that a site that
/// maps no controllers (Razor Pages, minimal APIs) has the stream. Empty when the application maps controllers itself
/// (<c>MapControllers</c>, <c>MapControllerRoute</c>): MVC's endpoint then answers, and the route is not there twice.
/// </summary>
internal sealed class SseEndpointDataSource(IEndpointRouteBuilder routes) : EndpointDataSource
{
    private IReadOnlyList<Endpoint>? _endpoints;

    public override IReadOnlyList<Endpoint> Endpoints => _endpoints ??= Build();

    public override IChangeToken GetChangeToken() => NullChangeToken.Singleton;

    /// <summary>Whether <paramref name="endpoint"/> is a stream action's endpoint (MVC's or this source's).</summary>
    public static bool IsStream(Endpoint endpoint) => endpoint.Metadata.GetMetadata<SseStreamEndpointAttribute>() is not null;

    private List<Endpoint> Build()
    {
        if (routes.DataSources.Where(source => source != this).SelectMany(source => source.Endpoints).Any(IsStream))
        {
            return [];
        }

        var endpoints = new List<Endpoint>();
        var actions = routes.ServiceProvider.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
            .OfType<ControllerActionDescriptor>()
            .Where(action => (typeof(StreamController).IsAssignableFrom(action.ControllerTypeInfo) || IsDashboard(action)) && action.AttributeRouteInfo?.Template is not null);
        foreach (var action in actions)
        {
            var route = action.AttributeRouteInfo!;
            // As MVC does for attribute routes: the action's route values are required values and defaults (none is in the template).
            var values = action.RouteValues.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => (object?)v.Value);
            var pattern = RoutePatternFactory.Parse(route.Template!, defaults: values, parameterPolicies: null, requiredValues: values);
            var metadata = new List<object>(action.EndpointMetadata) { action, new HttpMethodMetadata([HttpMethods.Get]) };
            if (route.Name is { } name)
            {
                metadata.Add(new RouteNameMetadata(name));
            }

            endpoints.Add(new RouteEndpoint(context => InvokeAsync(context, action), pattern, route.Order, new EndpointMetadataCollection(metadata), action.DisplayName));
        }

        return endpoints;
    }

    /// <summary>The dashboard's page (there only when <c>AddDashboard</c> was called): the area's other attribute-routed action.</summary>
    private static bool IsDashboard(ControllerActionDescriptor action)
        => action.ControllerTypeInfo.Assembly == typeof(StreamController).Assembly && action.ControllerName == "Dashboard";

    // As MVC's own endpoints do: the route values become the action's route data, and MVC's invoker runs the action.
    private static Task InvokeAsync(HttpContext context, ControllerActionDescriptor action)
    {
        var routeData = new Microsoft.AspNetCore.Routing.RouteData();
        routeData.PushState(router: null, context.Request.RouteValues, dataTokens: null);
        var invoker = context.RequestServices.GetRequiredService<IActionInvokerFactory>().CreateInvoker(new ActionContext(context, routeData, action))
            ?? throw new InvalidOperationException($"MVC has no invoker for {action.DisplayName}.");
        return invoker.InvokeAsync();
    }
}
