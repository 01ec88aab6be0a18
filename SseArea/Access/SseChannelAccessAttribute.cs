using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection;

namespace SseArea;

/// <summary>
/// Restricts channels of the <c>Sse</c> area: when a stream request asks for a channel matching
/// <see cref="Channel"/>, the user must be signed in, be in one of <see cref="Roles"/> (when set)
/// and satisfy <see cref="Policy"/> (when set); otherwise the whole request is refused with
/// <c>403</c> before the stream starts. Several rules combine: every rule that matches must pass.
/// </summary>
/// <remarks>
/// Apply it with <c>AddSse().AddChannelAccess("analytics", roles: "Admin")</c>, by adding it to
/// <see cref="SseOptions.Filters"/>, or as an attribute on your own controller derived from
/// <c>StreamController</c> in your app's <c>Sse</c> area. On requests outside the area it does nothing.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class SseChannelAccessAttribute : Attribute, IAsyncActionFilter
{
    private readonly string _prefix;
    private readonly bool _isPrefixRule;
    private string[] _roles = [];

    /// <summary>Creates a rule for the channels matching <paramref name="channel"/>.</summary>
    /// <param name="channel">
    /// An exact channel name (<c>analytics</c>), or a prefix rule ending in <c>*</c> (<c>admin.*</c>
    /// matches <c>admin.audit</c>; <c>*</c> alone matches every channel). A rule is never a Redis
    /// pattern: subscriptions always take literal names.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is empty or has a <c>*</c> before its end.</exception>
    public SseChannelAccessAttribute(string channel)
    {
        ArgumentException.ThrowIfNullOrEmpty(channel);
        var star = channel.IndexOf('*', StringComparison.Ordinal);
        if (star >= 0 && star != channel.Length - 1)
        {
            throw new ArgumentException($"The channel rule '{channel}' has a '*' before its end; only a trailing '*' (a prefix rule such as 'admin.*') is allowed.", nameof(channel));
        }

        Channel = channel;
        _isPrefixRule = star >= 0;
        _prefix = _isPrefixRule ? channel[..^1] : channel;
    }

    /// <summary>The rule: an exact channel name or a prefix ending in <c>*</c>.</summary>
    public string Channel { get; }

    /// <summary>Comma-separated roles; the user must be in at least one. <see langword="null"/>: any signed-in user (subject to <see cref="Policy"/>).</summary>
    /// <exception cref="ArgumentException">The value is empty or holds only commas and spaces.</exception>
    public string? Roles
    {
        get => _roles.Length == 0 ? null : string.Join(',', _roles);
        set
        {
            var roles = value is null ? [] : value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (value is not null && roles.Length == 0)
            {
                // An empty value (a missing setting, say) must not quietly mean "any signed-in user".
                throw new ArgumentException($"The roles of channel rule '{Channel}' name no role; pass null for no role requirement.", nameof(value));
            }

            _roles = roles;
        }
    }

    /// <summary>The name of an authorization policy the user must satisfy (evaluated with <see cref="IAuthorizationService"/>).</summary>
    public string? Policy { get; set; }

    /// <summary>Whether <paramref name="channel"/> falls under this rule.</summary>
    /// <param name="channel">A channel name.</param>
    public bool Matches(string channel)
    {
        ArgumentNullException.ThrowIfNull(channel);
        return _isPrefixRule ? channel.StartsWith(_prefix, StringComparison.Ordinal) : channel.Equals(_prefix, StringComparison.Ordinal);
    }

    /// <inheritdoc />
    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.GetSseStreamRequest();
        var matched = request?.Channels.Where(Matches).ToList();
        if (matched is { Count: > 0 } && await WhyRefusedAsync(context.HttpContext.User, context.HttpContext.RequestServices) is { } reason)
        {
            context.Result = new SseChannelRefusedResult(matched, reason);
            return;
        }

        await next();
    }

    private async Task<string?> WhyRefusedAsync(ClaimsPrincipal user, IServiceProvider services)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return "Sign in to follow this channel.";
        }

        if (_roles.Length > 0 && !_roles.Any(user.IsInRole))
        {
            return _roles.Length == 1
                ? $"It requires the role {_roles[0]}."
                : $"It requires one of the roles {string.Join(", ", _roles)}.";
        }

        if (Policy is not null)
        {
            var authorization = services.GetService<IAuthorizationService>()
                ?? throw new InvalidOperationException($"The channel rule '{Channel}' names the policy '{Policy}', but no IAuthorizationService is registered: call services.AddAuthorization().");
            var result = await authorization.AuthorizeAsync(user, Policy);
            if (!result.Succeeded)
            {
                return $"It requires the policy {Policy}.";
            }
        }

        return null;
    }
}
