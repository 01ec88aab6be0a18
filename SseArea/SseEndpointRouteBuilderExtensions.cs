using Microsoft.AspNetCore.Routing;
using SseArea.Internal.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps SseArea's stream endpoint.</summary>
public static class SseEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the <c>Sse</c> area's stream endpoint (<c>GET /sse/stream</c>, or <see cref="SseArea.SseOptions.RoutePrefix"/>),
    /// as <c>MapHub</c> or <c>MapHealthChecks</c> map theirs: needed in a site that maps no controllers (Razor Pages,
    /// minimal APIs), harmless in one that does (<c>MapControllers</c> or <c>MapControllerRoute</c> already map it, and
    /// the endpoint is then not added twice). The stream runs MVC's filters, as an action: area filters, channel rules,
    /// <c>[Authorize]</c> on an application's own <c>StreamController</c>.
    /// </summary>
    /// <param name="endpoints">The application (or any endpoint route builder).</param>
    /// <returns><paramref name="endpoints"/>, for chaining.</returns>
    /// <exception cref="InvalidOperationException"><c>services.AddSse()</c> was not called.</exception>
    public static IEndpointRouteBuilder MapSse(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.ServiceProvider.GetService(typeof(SseStreamHandler)) is null)
        {
            throw new InvalidOperationException("MapSse() needs SseArea's services: call builder.Services.AddSse() first.");
        }

        if (!endpoints.DataSources.OfType<SseEndpointDataSource>().Any())
        {
            endpoints.DataSources.Add(new SseEndpointDataSource(endpoints));
        }

        return endpoints;
    }
}
