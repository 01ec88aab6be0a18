using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SseArea.Internal.Views;

/// <summary>Renders a Razor component with ASP.NET Core's <see cref="HtmlRenderer"/>, in a service scope of its own.</summary>
internal sealed class ComponentRenderer(IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    public async Task<string> RenderAsync<TComponent>(IDictionary<string, object?>? parameters)
        where TComponent : IComponent
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        var view = parameters is null ? ParameterView.Empty : ParameterView.FromDictionary(parameters);
        return await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var root = await renderer.RenderComponentAsync<TComponent>(view).ConfigureAwait(false);
            return root.ToHtmlString();
        }).ConfigureAwait(false);
    }
}
