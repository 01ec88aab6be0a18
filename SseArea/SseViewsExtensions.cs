using Microsoft.AspNetCore.Components;

namespace SseArea;

/// <summary>
/// Shortcuts of <see cref="ISseViews"/> that read like Rails' <c>broadcast_append_to</c>: render once, publish the action on
/// the channel, e.g. <c>await views.AppendAsync("users.social", "statuses", "_Status", status)</c>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "A partial view and a component are the two ways to each action, as Turbo's broadcast helpers have them.")]
public static class SseViewsExtensions
{
    /// <summary>Renders the partial view once and publishes it after the target's last child (<see cref="SseStreamAction.Append"/>) on every subscribed page.</summary>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="viewName">The partial view (see <see cref="ISseViews.RenderPartialAsync"/>).</param>
    /// <param name="model">Its model.</param>
    /// <param name="cancellationToken">Cancels rendering or waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> AppendAsync(this ISseViews views, string channel, string target, string viewName, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderPartialAsync(viewName, model, cancellationToken).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.Append, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the component once and publishes it after the target's last child (<see cref="SseStreamAction.Append"/>) on every subscribed page.</summary>
    /// <typeparam name="TComponent">The Razor component.</typeparam>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="parameters">The component's parameters by name.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> AppendAsync<TComponent>(this ISseViews views, string channel, string target, IDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default)
        where TComponent : IComponent
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderComponentAsync<TComponent>(parameters).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.Append, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the partial view once and publishes it before the target's first child (<see cref="SseStreamAction.Prepend"/>) on every subscribed page.</summary>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="viewName">The partial view (see <see cref="ISseViews.RenderPartialAsync"/>).</param>
    /// <param name="model">Its model.</param>
    /// <param name="cancellationToken">Cancels rendering or waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> PrependAsync(this ISseViews views, string channel, string target, string viewName, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderPartialAsync(viewName, model, cancellationToken).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.Prepend, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the component once and publishes it before the target's first child (<see cref="SseStreamAction.Prepend"/>) on every subscribed page.</summary>
    /// <typeparam name="TComponent">The Razor component.</typeparam>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="parameters">The component's parameters by name.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> PrependAsync<TComponent>(this ISseViews views, string channel, string target, IDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default)
        where TComponent : IComponent
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderComponentAsync<TComponent>(parameters).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.Prepend, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the partial view once and publishes it in place of the target element (<see cref="SseStreamAction.Replace"/>) on every subscribed page.</summary>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="viewName">The partial view (see <see cref="ISseViews.RenderPartialAsync"/>).</param>
    /// <param name="model">Its model.</param>
    /// <param name="cancellationToken">Cancels rendering or waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> ReplaceAsync(this ISseViews views, string channel, string target, string viewName, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderPartialAsync(viewName, model, cancellationToken).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.Replace, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the component once and publishes it in place of the target element (<see cref="SseStreamAction.Replace"/>) on every subscribed page.</summary>
    /// <typeparam name="TComponent">The Razor component.</typeparam>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="parameters">The component's parameters by name.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> ReplaceAsync<TComponent>(this ISseViews views, string channel, string target, IDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default)
        where TComponent : IComponent
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderComponentAsync<TComponent>(parameters).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.Replace, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the partial view once and publishes it as the target's new children (<see cref="SseStreamAction.Update"/>) on every subscribed page.</summary>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="viewName">The partial view (see <see cref="ISseViews.RenderPartialAsync"/>).</param>
    /// <param name="model">Its model.</param>
    /// <param name="cancellationToken">Cancels rendering or waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> UpdateAsync(this ISseViews views, string channel, string target, string viewName, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderPartialAsync(viewName, model, cancellationToken).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.Update, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the component once and publishes it as the target's new children (<see cref="SseStreamAction.Update"/>) on every subscribed page.</summary>
    /// <typeparam name="TComponent">The Razor component.</typeparam>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="parameters">The component's parameters by name.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> UpdateAsync<TComponent>(this ISseViews views, string channel, string target, IDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default)
        where TComponent : IComponent
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderComponentAsync<TComponent>(parameters).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.Update, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the partial view once and publishes it before the target element, as its sibling (<see cref="SseStreamAction.Before"/>) on every subscribed page.</summary>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="viewName">The partial view (see <see cref="ISseViews.RenderPartialAsync"/>).</param>
    /// <param name="model">Its model.</param>
    /// <param name="cancellationToken">Cancels rendering or waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> BeforeAsync(this ISseViews views, string channel, string target, string viewName, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderPartialAsync(viewName, model, cancellationToken).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.Before, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the component once and publishes it before the target element, as its sibling (<see cref="SseStreamAction.Before"/>) on every subscribed page.</summary>
    /// <typeparam name="TComponent">The Razor component.</typeparam>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="parameters">The component's parameters by name.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> BeforeAsync<TComponent>(this ISseViews views, string channel, string target, IDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default)
        where TComponent : IComponent
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderComponentAsync<TComponent>(parameters).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.Before, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the partial view once and publishes it after the target element, as its sibling (<see cref="SseStreamAction.After"/>) on every subscribed page.</summary>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="viewName">The partial view (see <see cref="ISseViews.RenderPartialAsync"/>).</param>
    /// <param name="model">Its model.</param>
    /// <param name="cancellationToken">Cancels rendering or waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> AfterAsync(this ISseViews views, string channel, string target, string viewName, object? model = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderPartialAsync(viewName, model, cancellationToken).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.After, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Renders the component once and publishes it after the target element, as its sibling (<see cref="SseStreamAction.After"/>) on every subscribed page.</summary>
    /// <typeparam name="TComponent">The Razor component.</typeparam>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the target element.</param>
    /// <param name="parameters">The component's parameters by name.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static async Task<long> AfterAsync<TComponent>(this ISseViews views, string channel, string target, IDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default)
        where TComponent : IComponent
    {
        ArgumentNullException.ThrowIfNull(views);
        var html = await views.RenderComponentAsync<TComponent>(parameters).ConfigureAwait(false);
        return await views.PublishActionAsync(channel, SseStreamAction.After, target, html, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes the element with id <paramref name="target"/> from every subscribed page (<see cref="SseStreamAction.Remove"/>).</summary>
    /// <param name="views">The views service.</param>
    /// <param name="channel">The channel.</param>
    /// <param name="target">The id of the element to remove.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    public static Task<long> RemoveAsync(this ISseViews views, string channel, string target, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(views);
        return views.PublishActionAsync(channel, SseStreamAction.Remove, target, html: null, cancellationToken);
    }
}
