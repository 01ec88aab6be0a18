using SseArea;
using SseArea.Internal.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SseArea.</summary>
public static class SseServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <c>Sse</c> area (its stream endpoint, an MVC action: map it with <c>app.MapSse()</c>, or with the
    /// application's own <c>app.MapControllers()</c>),
    /// <see cref="ISsePublisher"/>, <see cref="ISseChannelStats"/>, the <c>sse</c> health check, the <c>SseArea</c> meter,
    /// and the broker: Redis when <see cref="SseOptions.Redis"/> (or <c>SSE_REDIS_URL</c> / <c>REDIS_URL</c>) names one,
    /// otherwise in memory. Options are bound from the section <c>Sse</c> and checked at startup.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets options in code; runs after the <c>Sse</c> section is bound.</param>
    /// <returns>A builder for further SseArea registrations (access rules, area filters).</returns>
    public static ISseBuilder AddSse(this IServiceCollection services, Action<SseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        SseServices.Add(services, configure);
        return new SseBuilder(services);
    }

    private sealed class SseBuilder(IServiceCollection services) : ISseBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
