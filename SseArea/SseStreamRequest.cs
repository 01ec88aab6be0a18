using Microsoft.AspNetCore.Http;

namespace SseArea;

/// <summary>
/// A stream request of the <c>Sse</c> area as the area's filters see it: the channels after
/// defaulting and validation, and the <c>Last-Event-ID</c> the client sent. Available to every
/// filter of the area through <c>HttpContext.Features.Get&lt;SseStreamRequest&gt;()</c> (or
/// <see cref="SseHttpContextExtensions.GetSseStreamRequest"/>), before any byte of the stream is written.
/// </summary>
public sealed class SseStreamRequest
{
    /// <summary>Creates a request; the library builds it from the query string, tests of filters build their own.</summary>
    /// <param name="channels">The channels asked for, in order, at least one.</param>
    /// <param name="lastEventId">The <c>Last-Event-ID</c> header or <c>lastEventId</c> query value, when sent.</param>
    /// <exception cref="ArgumentException"><paramref name="channels"/> is empty or holds an empty name.</exception>
    public SseStreamRequest(IReadOnlyList<string> channels, string? lastEventId = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Count == 0)
        {
            throw new ArgumentException("A stream request names at least one channel.", nameof(channels));
        }

        if (channels.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Channel names are never empty.", nameof(channels));
        }

        Channels = channels;
        LastEventId = string.IsNullOrEmpty(lastEventId) ? null : lastEventId;
    }

    /// <summary>
    /// The channels the stream will follow, in the order asked, without duplicates. A request that
    /// names none gets <see cref="SseOptions.DefaultChannel"/>.
    /// </summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>The id of the last event the client saw (it is reconnecting), or <see langword="null"/>.</summary>
    public string? LastEventId { get; }
}

/// <summary>Reads the <see cref="SseStreamRequest"/> of the current request.</summary>
public static class SseHttpContextExtensions
{
    /// <summary>
    /// The parsed stream request when <paramref name="context"/> is a request of the <c>Sse</c> area
    /// whose channels were valid, otherwise <see langword="null"/>.
    /// </summary>
    /// <param name="context">The current request.</param>
    public static SseStreamRequest? GetSseStreamRequest(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<SseStreamRequest>();
    }
}
