using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.Options;
using SseArea.Areas.Sse.Controllers;
using SseArea.Internal.Access;

namespace SseArea.Internal.Hosting;

/// <summary>
/// The <c>Sse</c> area's convention: puts the stream controller at <see cref="SseOptions.RoutePrefix"/>, lets an
/// application's own subclass replace the library's (one action answers the route), gives stream actions the access
/// filter and the registered channel rules (as endpoint metadata, beside rule attributes), and the area's filters to
/// every controller of the area.
/// </summary>
internal sealed class SseAreaConvention(IOptions<SseOptions> options, IOptions<SseAccessOptions> registered)
    : IConfigureOptions<MvcOptions>, IApplicationModelConvention
{
    public void Configure(MvcOptions mvc) => mvc.Conventions.Add(this);

    // Options are read when MVC builds its application model: every registration of the application has run by then.
    public void Apply(ApplicationModel application)
    {
        var prefix = options.Value.RoutePrefix.Trim('/');
        var access = registered.Value;
        var streams = application.Controllers.Where(c => typeof(StreamController).IsAssignableFrom(c.ControllerType)).ToList();
        var library = streams.Find(c => c.ControllerType.AsType() == typeof(StreamController));
        if (library is not null && streams.Count > 1)
        {
            application.Controllers.Remove(library);
            streams.Remove(library);
        }

        foreach (var selector in streams.SelectMany(c => c.Selectors))
        {
            if (selector.AttributeRouteModel is { } route && route.Template == SseAreaNames.DefaultRoutePrefix)
            {
                route.Template = prefix;
            }
        }

        // The dashboard has its own door (its policy): the area's filters are for streams.
        foreach (var controller in application.Controllers.Where(c => IsInArea(c) && c.ControllerType.AsType() != typeof(Dashboard.DashboardController)))
        {
            if (streams.Contains(controller))
            {
                // A resource filter: it runs before every action filter, whatever their order.
                controller.Filters.Add(new ServiceFilterAttribute(typeof(SseAccessFilter)) { IsReusable = true });
                foreach (var action in controller.Actions)
                {
                    action.Filters.Add(new SseDeferredAuthorizeFilter());
                    foreach (var (selector, rule) in action.Selectors.SelectMany(selector => access.Rules.Select(rule => (selector, rule))))
                    {
                        selector.EndpointMetadata.Add(rule);
                    }
                }
            }

            controller.Filters.Add(new SseRefusalGuard());
            foreach (var filter in access.AreaFilters)
            {
                controller.Filters.Add(new ServiceFilterAttribute(filter));
            }
        }
    }

    private static bool IsInArea(ControllerModel controller)
        => controller.RouteValues.TryGetValue("area", out var area) && string.Equals(area, SseAreaNames.Area, StringComparison.OrdinalIgnoreCase);
}
