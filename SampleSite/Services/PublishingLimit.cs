using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace SampleSite.Services;

/// <summary>
/// The sample's publishing forms are open to anyone: each client address may post at most <see cref="Permits"/> times
/// per <see cref="Window"/>; beyond it the post answers 429.
/// </summary>
public static class PublishingLimit
{
    public const string Policy = "publishing";
    public const int Permits = 20;
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    /// <summary>Registers the policy (the endpoints opt in with <c>[EnableRateLimiting(PublishingLimit.Policy)]</c>).</summary>
    public static IServiceCollection AddPublishingLimit(this IServiceCollection services) => services.AddRateLimiter(options =>
    {
        options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        options.AddPolicy(Policy, http => RateLimitPartition.GetFixedWindowLimiter(
            http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = Permits, Window = Window, QueueLimit = 0 }));
    });
}
