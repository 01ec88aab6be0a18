using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// Signs requests in from test headers: <c>X-Test-User</c> (the name), <c>X-Test-Roles</c>
/// (comma-separated) and <c>X-Test-Claims</c> (<c>type=value,...</c>). No <c>X-Test-User</c>: anonymous.
/// </summary>
internal sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (Request.Headers["X-Test-User"] is not [{ Length: > 0 } name])
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var claims = new List<Claim> { new(ClaimTypes.Name, name) };
        claims.AddRange(Split(Request.Headers["X-Test-Roles"]).Select(role => new Claim(ClaimTypes.Role, role)));
        claims.AddRange(Split(Request.Headers["X-Test-Claims"]).Select(pair => pair.Split('=', 2)).Select(kv => new Claim(kv[0], kv[1])));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    private static string[] Split(string? value) => (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

internal static class TestAuthenticationExtensions
{
    /// <summary>Makes <see cref="TestAuthHandler"/> the default scheme, over whatever the site configured.</summary>
    public static IServiceCollection AddTestAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        services.PostConfigure<AuthenticationOptions>(options =>
        {
            options.DefaultScheme = TestAuthHandler.SchemeName;
            options.DefaultAuthenticateScheme = TestAuthHandler.SchemeName;
            options.DefaultChallengeScheme = TestAuthHandler.SchemeName;
            options.DefaultForbidScheme = TestAuthHandler.SchemeName;
        });
        return services;
    }

    /// <summary>Adds the test sign-in headers for <paramref name="user"/> (null: anonymous).</summary>
    public static void SignIn(this System.Net.Http.Headers.HttpRequestHeaders headers, string? user, string? roles = null, string? claims = null)
    {
        if (user is not null)
        {
            headers.Add("X-Test-User", user);
        }

        if (roles is not null)
        {
            headers.Add("X-Test-Roles", roles);
        }

        if (claims is not null)
        {
            headers.Add("X-Test-Claims", claims);
        }
    }
}
