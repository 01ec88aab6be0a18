using Microsoft.AspNetCore.Components;

namespace SseArea.Internal.Views;

/// <summary>
/// Renders once per publish and hands the stream action to <see cref="ISsePublisher"/> as an untyped event, the
/// <c>message</c> that Turbo's <c>&lt;turbo-stream-source&gt;</c> and <c>&lt;sse-stream actions&gt;</c> listen to: each
/// subscriber then costs what any event costs, in memory or on Redis.
/// </summary>
internal sealed class SseViews(ISsePublisher publisher, PartialRenderer partials, ComponentRenderer components) : ISseViews
{
    public Task<string> RenderPartialAsync(string viewName, object? model = null, CancellationToken cancellationToken = default)
        => partials.RenderAsync(viewName, model, cancellationToken);

    public Task<string> RenderComponentAsync<TComponent>(IDictionary<string, object?>? parameters = null)
        where TComponent : IComponent
        => components.RenderAsync<TComponent>(parameters);

    public Task<long> PublishActionAsync(string channel, SseStreamAction action, string target, string? html, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        return publisher.PublishAsync(new SseMessage(TurboStreamText.ForTarget(action, target, html)), channel, cancellationToken);
    }

    public Task<long> PublishActionToAllAsync(string channel, SseStreamAction action, string targets, string? html, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        return publisher.PublishAsync(new SseMessage(TurboStreamText.ForTargets(action, targets, html)), channel, cancellationToken);
    }
}
