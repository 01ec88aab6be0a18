using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.Options;
using SseArea.Areas.Sse.Controllers;

namespace SseArea.Hosting;

/// <summary>Adds the conventions of the <c>Sse</c> area to MVC.</summary>
internal sealed class SseMvcOptionsSetup(IOptions<SseOptions> options) : IConfigureOptions<MvcOptions>
{
    public void Configure(MvcOptions mvc) => mvc.Conventions.Add(new SseAreaConvention(options.Value.RoutePrefix.Trim('/')));

    /// <summary>
    /// Puts the stream controller at <see cref="SseOptions.RoutePrefix"/>, and lets an application's
    /// own subclass of <see cref="StreamController"/> replace the library's, so that exactly one
    /// action answers the stream route.
    /// </summary>
    private sealed class SseAreaConvention(string prefix) : IApplicationModelConvention
    {
        public void Apply(ApplicationModel application)
        {
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
        }
    }
}
