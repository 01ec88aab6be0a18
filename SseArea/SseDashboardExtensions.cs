using Microsoft.Extensions.DependencyInjection.Extensions;
using SseArea;
using SseArea.Internal.Dashboard;
using SseArea.Internal.Hosting;
using SseArea.Internal.Wire;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The operator's dashboard in the <c>Sse</c> area.</summary>
public static class SseDashboardExtensions
{
    /// <summary>
    /// Turns on the dashboard at <see cref="SseDashboardOptions.Path"/> (<c>/sse/dashboard</c>): connections, streams per
    /// channel, events published and delivered per second, replays, <c>sse-missed</c> notices, cut-off clients,
    /// refusals, the broker and the health check, live on its own channel. Only users who meet
    /// <paramref name="policy"/> see it; anyone else gets <c>403</c> (never a redirect). It is mapped with the stream
    /// endpoint: by <c>MapControllers</c> in an MVC site, by <c>app.MapSse()</c> in a Razor Pages site.
    /// </summary>
    /// <param name="builder">The builder <c>AddSse</c> returned.</param>
    /// <param name="policy">The authorization policy a user must meet (registered with <c>AddAuthorization</c>).</param>
    /// <param name="configure">Sets the path, the channel or the update interval.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The policy is empty, or an option is not valid (the message names it).</exception>
    public static ISseBuilder AddDashboard(this ISseBuilder builder, string policy, Action<SseDashboardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(policy);
        var options = new SseDashboardOptions { Policy = policy };
        configure?.Invoke(options);
        Check(options, nameof(configure));

        builder.Services.Replace(ServiceDescriptor.Singleton(Microsoft.Extensions.Options.Options.Create(options)));
        builder.AddChannelAccess(options.Channel, policy: options.Policy);
        DashboardServices.Add(builder.Services);
        return builder;
    }

    private static void Check(SseDashboardOptions options, string parameter)
    {
        if (string.IsNullOrWhiteSpace(options.Policy))
        {
            throw new ArgumentException("SseDashboardOptions.Policy must name an authorization policy.", parameter);
        }

        if (!SseOptionsValidator.IsRoutePath(options.Path))
        {
            throw new ArgumentException($"SseDashboardOptions.Path must be a URL path such as 'sse/dashboard', without '?', '#', braces, backslashes or spaces (it is '{options.Path}').", parameter);
        }

        if (SseChannelName.Check(options.Channel ?? string.Empty, 256) is { } error)
        {
            throw new ArgumentException($"SseDashboardOptions.Channel is not a valid channel name: {error}", parameter);
        }

        if (options.UpdateInterval < TimeSpan.FromMilliseconds(200) || options.UpdateInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"SseDashboardOptions.UpdateInterval must be between 200 ms and 1 minute (it is {options.UpdateInterval}).", parameter);
        }
    }
}
