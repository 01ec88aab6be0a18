using Microsoft.AspNetCore.Authorization;

namespace SseArea;

/// <summary>
/// Restricts channels of the <c>Sse</c> area as <c>[Authorize]</c> restricts an action: a stream request for a channel
/// matching <see cref="Channel"/> needs a signed-in user and what the rule names (one of <see cref="Roles"/>, the
/// <see cref="Policy"/>; neither: the default policy), authenticated by <see cref="AuthenticationSchemes"/>, evaluated
/// through the application's <see cref="IAuthorizationPolicyProvider"/> and <c>IPolicyEvaluator</c>. A failure refuses
/// the request with <c>403</c> naming the channels the rule matched; every rule that matches must pass.
/// </summary>
/// <remarks>
/// Register it (<c>AddSse().AddChannelAccess("analytics", roles: "Admin")</c>) or put it on your own controller derived
/// from <c>StreamController</c> in your app's <c>Sse</c> area; anywhere else it does nothing.
/// </remarks>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = true, Inherited = true)]
public sealed class SseChannelAccessAttribute : Attribute
{
    private string? _roles;

    /// <summary>Creates a rule for the channels matching <paramref name="channel"/>.</summary>
    /// <param name="channel">
    /// An exact channel name (<c>analytics</c>), or a prefix rule ending in <c>*</c> (<c>admin.*</c> matches
    /// <c>admin.audit</c>; <c>*</c> alone, every channel). Never a Redis pattern.
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
    }

    /// <summary>The rule: an exact channel name or a prefix ending in <c>*</c>.</summary>
    public string Channel { get; }

    /// <summary>Comma-separated roles, any one of which admits (as <see cref="AuthorizeAttribute.Roles"/>); <see langword="null"/> for none required.</summary>
    /// <exception cref="ArgumentException">The value is empty or holds only commas and spaces.</exception>
    public string? Roles
    {
        get => _roles;
        set
        {
            if (value is not null && value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length == 0)
            {
                // An empty value (a missing setting, say) must not quietly mean "any signed-in user".
                throw new ArgumentException($"The roles of channel rule '{Channel}' name no role; pass null for no role requirement.", nameof(value));
            }

            _roles = value;
        }
    }

    /// <summary>The name of an authorization policy the user must satisfy (as <see cref="AuthorizeAttribute.Policy"/>).</summary>
    public string? Policy { get; set; }

    /// <summary>Comma-separated authentication schemes the user is authenticated with for this rule (as <see cref="AuthorizeAttribute.AuthenticationSchemes"/>).</summary>
    public string? AuthenticationSchemes { get; set; }

    /// <summary>Whether <paramref name="channel"/> falls under this rule.</summary>
    internal bool Matches(string channel)
        => Channel.EndsWith('*') ? channel.AsSpan().StartsWith(Channel.AsSpan(0, Channel.Length - 1), StringComparison.Ordinal) : channel == Channel;

    /// <summary>The rule's requirement as ASP.NET Core authorization data.</summary>
    internal IAuthorizeData AuthorizeData => new AuthorizeAttribute { Roles = Roles, Policy = Policy, AuthenticationSchemes = AuthenticationSchemes };
}
