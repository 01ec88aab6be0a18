using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.Extensions.Options;

namespace SseArea.Internal.Dashboard;

/// <summary>
/// Puts the dashboard at <see cref="SseDashboardOptions.Path"/> and guards it with its own policy check (403), marked
/// anonymous for the app's own authorization, so that a fallback policy or a global <c>[Authorize]</c> does not
/// redirect to a sign-in page first.
/// </summary>
internal sealed class DashboardConvention(IOptions<SseDashboardOptions> options) : IConfigureOptions<MvcOptions>, IApplicationModelConvention
{
    public void Configure(MvcOptions mvc) => mvc.Conventions.Add(this);

    public void Apply(ApplicationModel application)
    {
        foreach (var controller in application.Controllers.Where(c => c.ControllerType.AsType() == typeof(DashboardController)))
        {
            controller.Filters.Add(new ServiceFilterAttribute(typeof(DashboardAccessFilter)) { IsReusable = true });
            foreach (var selector in controller.Selectors)
            {
                selector.AttributeRouteModel = new AttributeRouteModel { Template = options.Value.Path.Trim('/') };
                selector.EndpointMetadata.Add(new AllowAnonymousAttribute());
            }
        }
    }
}
