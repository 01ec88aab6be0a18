using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SseArea.Internal.Diagnostics;
using SseArea.Internal.Http;
using SseArea.Internal.Wire;

namespace SseArea;

/// <summary>
/// Refuses a stream request: <c>403</c> with a problem body naming the refused channels, logged and counted
/// (<c>sse.access.refused</c>). Set it as an area filter's result rather than <c>Forbid()</c>, which would let a
/// cookie scheme redirect to a login page.
/// </summary>
public sealed class SseChannelRefusedResult : IActionResult
{
    /// <summary>Refuses one channel.</summary>
    /// <param name="channel">The channel refused.</param>
    /// <param name="reason">Why, for the client and the log; <see langword="null"/> for a generic reason.</param>
    [SuppressMessage("ApiDesign", "RS0026", Justification = "One channel or several, each with an optional reason: no call is ambiguous.")]
    public SseChannelRefusedResult(string channel, string? reason = null)
        : this([channel], reason)
    {
    }

    /// <summary>Refuses several channels at once.</summary>
    /// <param name="channels">The channels refused, at least one.</param>
    /// <param name="reason">Why, for the client and the log; <see langword="null"/> for a generic reason.</param>
    [SuppressMessage("ApiDesign", "RS0026", Justification = "One channel or several, each with an optional reason: no call is ambiguous.")]
    public SseChannelRefusedResult(IEnumerable<string> channels, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(channels);
        Channels = [.. channels];
        if (Channels.Count == 0 || Channels.Any(c => c is null))
        {
            throw new ArgumentException("Name at least one refused channel.", nameof(channels));
        }

        Reason = string.IsNullOrWhiteSpace(reason) ? "Access to this channel is not allowed." : reason;
    }

    /// <summary>The refused channels.</summary>
    public IReadOnlyList<string> Channels { get; }

    /// <summary>Why they were refused.</summary>
    public string Reason { get; }

    /// <inheritdoc />
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var http = context.HttpContext;
        var services = http.RequestServices;
        var names = string.Join(", ", Channels.Select(c => $"'{SseChannelName.Display(c)}'"));
        var user = http.User.Identity is { IsAuthenticated: true } identity ? (identity.Name is { } name ? SseChannelName.Display(name) : "(unnamed user)") : "(anonymous)";

        SseLog.ChannelRefused(services.GetRequiredService<ILogger<SseChannelRefusedResult>>(), names, user, Reason);
        services.GetRequiredService<SseMetrics>().AccessRefused();

        var detail = $"{(Channels.Count == 1 ? "Channel" : "Channels")} {names} refused: {Reason}";
        return SseProblem.Create(http, StatusCodes.Status403Forbidden, "Channel access refused", detail,
            problem => problem.Extensions["channels"] = Channels).ExecuteResultAsync(context);
    }
}
