using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.Options;
using SseArea.Areas.Sse.Controllers;

namespace SseArea.Hosting;

/// <summary>Adds the conventions of the <c>Sse</c> area to MVC.</summary>
internal sealed class SseMvcOptionsSetup(IOptions<SseOptions> options) : IConfigureOptions<MvcOptions>
{
    public void Configure(MvcOptions mvc) => mvc.Conventions.Add(new SseRouteConvention(options.Value.RoutePrefix.Trim('/')));

    /// <summary>Puts the stream controller at <see cref="SseOptions.RoutePrefix"/>.</summary>
    private sealed class SseRouteConvention(string prefix) : IApplicationModelConvention
    {
        public void Apply(ApplicationModel application)
        {
            foreach (var controller in application.Controllers)
            {
                if (!typeof(StreamController).IsAssignableFrom(controller.ControllerType))
                {
                    continue;
                }

                foreach (var selector in controller.Selectors)
                {
                    if (selector.AttributeRouteModel is { } route && route.Template == SseAreaNames.DefaultRoutePrefix)
                    {
                        route.Template = prefix;
                    }
                }
            }
        }
    }
}
