using System.Net.Http.Headers;
using SseArea.TestHost;

namespace SseArea.Tests.Infrastructure;

/// <summary>Signs a request in to the test host: the headers its <see cref="TestAuthHandler"/> reads.</summary>
internal static class TestAuthentication
{
    /// <summary>Adds the sign-in headers for <paramref name="user"/> (null: anonymous), its roles (comma-separated) and claims (<c>type=value,...</c>).</summary>
    public static void SignIn(this HttpRequestHeaders headers, string? user, string? roles = null, string? claims = null)
    {
        if (user is not null)
        {
            headers.Add(TestAuthHandler.UserHeader, user);
        }

        if (roles is not null)
        {
            headers.Add(TestAuthHandler.RolesHeader, roles);
        }

        if (claims is not null)
        {
            headers.Add(TestAuthHandler.ClaimsHeader, claims);
        }
    }
}
