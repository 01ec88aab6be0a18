using Microsoft.AspNetCore.Http;

namespace SseArea;

/// <summary>
/// A stream request as the <c>Sse</c> area's filters see it, before the stream starts: the checked channels and the
/// <c>Last-Event-ID</c>. Read it with <see cref="SseHttpContextExtensions.GetSseStreamRequest"/> (an HTTP feature).
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

    /// <summary>The channels to follow, in the order asked, without duplicates; none asked: <see cref="SseOptions.DefaultChannel"/>.</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>The id of the last event the client saw (it is reconnecting), or <see langword="null"/>.</summary>
    public string? LastEventId { get; }
}

/// <summary>Reads the <see cref="SseStreamRequest"/> of the current request.</summary>
public static class SseHttpContextExtensions
{
    /// <summary>The parsed stream request of a valid request of the <c>Sse</c> area, otherwise <see langword="null"/>.</summary>
    /// <param name="context">The current request.</param>
    public static SseStreamRequest? GetSseStreamRequest(this HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Features.Get<SseStreamRequest>();
    }
}
