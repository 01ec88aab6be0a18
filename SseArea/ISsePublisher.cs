using System.Diagnostics.CodeAnalysis;

namespace SseArea;

/// <summary>Publishes server-sent events to a channel: Flask-SSE's <c>sse.publish</c>. Inject it wherever events start.</summary>
public interface ISsePublisher
{
    /// <summary>Publishes one event.</summary>
    /// <param name="data">A string, sent as it is, or anything else, sent as JSON with the MVC JSON options (<c>AddJsonOptions</c>).</param>
    /// <param name="type">The event type (<c>event:</c>); <see langword="null"/> for the browser's default <c>message</c>.</param>
    /// <param name="id">The event id (<c>id:</c>).</param>
    /// <param name="retry">The reconnection time in milliseconds (<c>retry:</c>).</param>
    /// <param name="channel">The channel; <see langword="null"/> or empty for <see cref="SseOptions.DefaultChannel"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The receivers the broker reports: local streams in memory, subscribed server processes on Redis.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="type"/>, <paramref name="id"/> or <paramref name="channel"/> is not allowed.</exception>
    /// <exception cref="SseBrokerException">The broker could not take the event (e.g. Redis is unreachable).</exception>
    [SuppressMessage("ApiDesign", "RS0026", Justification = "The shape of Flask-SSE's sse.publish(data, type, id, retry, channel), the contract this ports.")]
    Task<long> PublishAsync(object data, string? type = null, string? id = null, int? retry = null, string? channel = null, CancellationToken cancellationToken = default);

    /// <summary>Publishes one event.</summary>
    /// <param name="message">The event.</param>
    /// <param name="channel">The channel; <see langword="null"/> or empty for <see cref="SseOptions.DefaultChannel"/>.</param>
    /// <param name="cancellationToken">Cancels waiting for the broker.</param>
    /// <returns>The number of receivers the broker reports.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a valid channel name.</exception>
    /// <exception cref="SseBrokerException">The broker could not take the event.</exception>
    [SuppressMessage("ApiDesign", "RS0026", Justification = "The shape of Flask-SSE's sse.publish(data, type, id, retry, channel), the contract this ports.")]
    Task<long> PublishAsync(SseMessage message, string? channel = null, CancellationToken cancellationToken = default);
}
