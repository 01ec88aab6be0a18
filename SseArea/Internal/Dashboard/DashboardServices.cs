using System.Reflection;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace SseArea.Internal.Dashboard;

/// <summary>What <c>AddDashboard</c> registers, once: the page's controller (only then known to MVC), its convention, its figures and feed.</summary>
internal static class DashboardServices
{
    public static void Add(IServiceCollection services)
    {
        services.AddMvcCore().ConfigureApplicationPartManager(parts =>
        {
            if (!parts.FeatureProviders.OfType<ControllerFeature>().Any())
            {
                parts.FeatureProviders.Add(new ControllerFeature());
            }
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<MvcOptions>, DashboardConvention>());
        services.TryAddSingleton<DashboardAccessFilter>();
        services.TryAddSingleton<DashboardFigures>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DashboardFeed>());
    }

    /// <summary>Adds the internal <see cref="DashboardController"/>, which MVC's own provider skips (it takes public types only).</summary>
    private sealed class ControllerFeature : IApplicationFeatureProvider<Microsoft.AspNetCore.Mvc.Controllers.ControllerFeature>
    {
        public void PopulateFeature(IEnumerable<ApplicationPart> parts, Microsoft.AspNetCore.Mvc.Controllers.ControllerFeature feature)
        {
            var controller = typeof(DashboardController).GetTypeInfo();
            if (!feature.Controllers.Contains(controller))
            {
                feature.Controllers.Add(controller);
            }
        }
    }
}
