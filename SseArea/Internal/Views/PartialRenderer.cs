using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.Razor;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewEngines;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace SseArea.Internal.Views;

/// <summary>
/// Renders an MVC partial view with no request: in a service scope of its own, with a bare <see cref="DefaultHttpContext"/>
/// (no user, no route) whose services are the scope's, as a background service would have to.
/// </summary>
internal sealed class PartialRenderer(IServiceScopeFactory scopes)
{
    public async Task<string> RenderAsync(string viewName, object? model, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(viewName);
        cancellationToken.ThrowIfCancellationRequested();
        await using var scope = scopes.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var engine = services.GetService<ICompositeViewEngine>() ?? throw new InvalidOperationException(
            "Rendering a partial view needs MVC's views: call services.AddControllersWithViews() or services.AddRazorPages().");

        var http = new DefaultHttpContext { RequestServices = services };
        var action = new ActionContext(http, new RouteData(), new ActionDescriptor());
        var found = engine.GetView(executingFilePath: null, viewName, isMainPage: false);
        if (!found.Success)
        {
            var byName = engine.FindView(action, viewName, isMainPage: false);
            found = byName.Success ? byName : throw new InvalidOperationException(
                $"The partial view '{viewName}' was not found. Looked for: {string.Join(", ", found.SearchedLocations.Concat(byName.SearchedLocations))}.");
        }

        var view = found.View!;
        using var writer = new StringWriter();
        var viewData = new ViewDataDictionary(services.GetRequiredService<IModelMetadataProvider>(), new ModelStateDictionary()) { Model = model };
        var tempData = services.GetRequiredService<ITempDataDictionaryFactory>().GetTempData(http);
        var context = new ViewContext(action, view, viewData, tempData, writer, new HtmlHelperOptions());
        await view.RenderAsync(context).ConfigureAwait(false);
        (view as IDisposable)?.Dispose();
        return writer.ToString();
    }
}
