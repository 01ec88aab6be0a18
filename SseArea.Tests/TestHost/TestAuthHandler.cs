using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace SseArea.TestHost;

/// <summary>
/// Signs requests in from test headers: <see cref="UserHeader"/> (the name), <see cref="RolesHeader"/>
/// (comma-separated) and <see cref="ClaimsHeader"/> (<c>type=value,...</c>). No user header: anonymous.
/// </summary>
internal sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";
    public const string UserHeader = "X-Test-User";
    public const string RolesHeader = "X-Test-Roles";
    public const string ClaimsHeader = "X-Test-Claims";

    /// <summary>Seconds from now when the ticket expires (as a cookie's expiry), when set.</summary>
    public const string ExpiresHeader = "X-Test-Expires";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers[UserHeader] is not [{ Length: > 0 } name])
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(Split(Request.Headers[RolesHeader]).Select(role => new Claim(ClaimTypes.Role, role)));
        claims.AddRange(Split(Request.Headers[ClaimsHeader]).Select(pair => pair.Split('=', 2)).Select(kv => new Claim(kv[0], kv[1])));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        var properties = new AuthenticationProperties();
        if (double.TryParse(Request.Headers[ExpiresHeader], System.Globalization.CultureInfo.InvariantCulture, out var seconds))
        {
            properties.ExpiresUtc = TimeProvider.GetUtcNow().AddSeconds(seconds);
        }

        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, properties, SchemeName)));
    }

    private static string[] Split(string? value) => (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
