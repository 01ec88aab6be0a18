using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseArea.Internal.Http;

namespace SseArea.Internal.Hosting;

/// <summary>
/// At startup, once the application's pipeline is configured (its routes mapped), a web application whose routes hold
/// no stream endpoint stops with what to call, instead of answering 404 to every stream and throwing on every page with
/// <c>&lt;sse-stream&gt;</c> (see <see cref="SseOptions.RequireStreamEndpoint"/>). It adds nothing to the pipeline.
/// </summary>
internal sealed class SseEndpointStartupCheck(IOptions<SseOptions> options) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        if (options.Value.RequireStreamEndpoint && app.ApplicationServices.GetService<EndpointDataSource>() is { } routes
            && !routes.Endpoints.Any(SseEndpointDataSource.IsStream))
        {
            throw new InvalidOperationException(
                "SseArea's stream endpoint is not mapped, so every stream would answer 404: call app.MapSse() (Razor Pages or minimal APIs; "
                + "harmless with controllers), or map controllers (app.MapControllers() or app.MapControllerRoute(...)). "
                + "An application that only publishes sets Sse:RequireStreamEndpoint to false.");
        }
    };
}
