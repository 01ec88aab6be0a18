using Microsoft.AspNetCore.Components;

namespace SseArea;

/// <summary>
/// Renders server-side HTML (an MVC partial view or a Razor component) once, and publishes it on a channel as a Turbo
/// Streams action (<c>&lt;turbo-stream action="append" target="…"&gt;&lt;template&gt;…&lt;/template&gt;&lt;/turbo-stream&gt;</c>)
/// that every subscribed page applies: Rails' <c>broadcast_append_to</c> for ASP.NET Core. Works from a controller, a
/// Razor Page handler or a background service: it renders in a service scope of its own, never on a request. The shortcuts
/// (<c>AppendAsync</c>, <c>RemoveAsync</c>, …) are in <see cref="SseViewsExtensions"/>. See docs/live-views.md.
/// </summary>
public interface ISseViews
{
    /// <summary>Renders an MVC partial view to HTML, outside any request.</summary>
    /// <param name="viewName">
    /// A view name, looked up as a partial with no controller and no page (<c>Views/Shared/{name}.cshtml</c>), or an
    /// app-relative path such as <c>~/Views/Social/_Status.cshtml</c> or <c>~/Pages/Shared/_Status.cshtml</c>.
    /// </param>
    /// <param name="model">The view's model.</param>
    /// <param name="cancellationToken">Cancels before rendering.</param>
    /// <returns>The HTML.</returns>
    /// <exception cref="ArgumentException"><paramref name="viewName"/> is empty.</exception>
    /// <exception cref="InvalidOperationException">The view was not found (the message lists where it was looked for), or MVC views are not registered.</exception>
    Task<string> RenderPartialAsync(string viewName, object? model = null, CancellationToken cancellationToken = default);

    /// <summary>Renders a Razor component to HTML with ASP.NET Core's <c>HtmlRenderer</c>, outside any request.</summary>
    /// <typeparam name="TComponent">The component.</typeparam>
    /// <param name="parameters">Its parameters by name; <see langword="null"/> for none.</param>
    /// <returns>The HTML.</returns>
    Task<string> RenderComponentAsync<TComponent>(IDictionary<string, object?>? parameters = null)
        where TComponent : IComponent;

    /// <summary>Publishes a stream action on the element with id <paramref name="target"/> of every subscribed page.</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="action">What to do.</param>
    /// <param name="target">The id of the element it applies to.</param>
    /// <param name="html">The HTML; <see langword="null"/> for <see cref="SseStreamAction.Remove"/> (which carries none), required otherwise.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The receivers the broker reports, as <see cref="ISsePublisher.PublishAsync(SseMessage, string?, CancellationToken)"/>.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="channel"/> or <paramref name="target"/> is empty or invalid (an id holds no white space), <paramref name="html"/> is
    /// missing for an action that inserts, or given for a removal, or the event is larger than <c>Sse:MaxEventBytes</c>.
    /// </exception>
    /// <exception cref="SseBrokerException">The broker could not take the event.</exception>
    Task<long> PublishActionAsync(string channel, SseStreamAction action, string target, string? html, CancellationToken cancellationToken = default);

    /// <summary>Publishes a stream action on every element that matches the CSS selector <paramref name="targets"/> (Turbo's <c>targets</c>).</summary>
    /// <param name="channel">The channel.</param>
    /// <param name="action">What to do.</param>
    /// <param name="targets">A CSS selector, such as <c>.status[data-user="alice"]</c>.</param>
    /// <param name="html">The HTML; <see langword="null"/> for <see cref="SseStreamAction.Remove"/>, required otherwise.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The receivers the broker reports.</returns>
    /// <exception cref="ArgumentException">As for <see cref="PublishActionAsync"/>; <paramref name="targets"/> must not be empty.</exception>
    /// <exception cref="SseBrokerException">The broker could not take the event.</exception>
    Task<long> PublishActionToAllAsync(string channel, SseStreamAction action, string targets, string? html, CancellationToken cancellationToken = default);
}
