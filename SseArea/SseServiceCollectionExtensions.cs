using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SseArea;
using SseArea.Access;
using SseArea.Areas.Sse.Controllers;
using SseArea.Brokers;
using SseArea.Brokers.Redis;
using SseArea.Diagnostics;
using SseArea.Hosting;
using SseArea.Publishing;
using SseArea.Streaming;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers SseArea.</summary>
public static class SseServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <c>Sse</c> area (its stream endpoint), <see cref="ISsePublisher"/>, and the broker
    /// chosen from configuration: Redis when a Redis URL is set (<see cref="SseOptions.RedisUrl"/>,
    /// then the keys <c>Sse:RedisUrl</c>, <c>SSE_REDIS_URL</c>, <c>REDIS_URL</c>), otherwise the
    /// in-memory broker. Options are bound from the section <c>Sse</c> and checked at startup.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Sets options in code; runs after the <c>Sse</c> section is bound.</param>
    /// <returns>A builder for further SseArea registrations.</returns>
    public static ISseBuilder AddSse(this IServiceCollection services, Action<SseOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<SseOptions>().BindConfiguration(SseOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<SseOptions>, SseRedisUrlSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SseOptions>, SseOptionsValidator>());

        services.AddMvcCore().ConfigureApplicationPartManager(AddLibraryPart);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<MvcOptions>, SseMvcOptionsSetup>());

        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<SseMetrics>();
        if (!services.Any(d => d.ServiceType == typeof(SseHealthCheck)))
        {
            // Registered once, so that `AddHealthChecks()` and `MapHealthChecks(...)` of the app show it.
            services.AddSingleton<SseHealthCheck>();
            services.AddHealthChecks().AddCheck<SseHealthCheck>(SseHealthCheck.Name);
        }

        services.TryAddSingleton<ISseBroker>(CreateBroker);
        services.TryAddSingleton<ISsePublisher, SsePublisher>();
        services.TryAddSingleton<ISseChannelStats, SseChannelStats>();
        services.TryAddSingleton<SseStreamHandler>();
        // Streams run outside MVC and the app's middleware once started (see SseStreamRunner).
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, SseStreamStartupFilter>());
        services.TryAddSingleton<SseStreamRequestFilter>();
        SseAuthorizationResultHandler.Decorate(services);
        services.AddHostedService<SseBrokerStartup>();
        services.AddHostedService<SseAccessStartupCheck>();

        return new SseBuilder(services);
    }

    private static ISseBroker CreateBroker(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<SseOptions>>();
        return string.IsNullOrWhiteSpace(options.Value.RedisUrl)
            ? new InMemorySseBroker(options.Value.HistoryLength, services.GetRequiredService<SseMetrics>())
            : ActivatorUtilities.CreateInstance<RedisSseBroker>(services);
    }

    private static void AddLibraryPart(ApplicationPartManager parts)
    {
        var assembly = typeof(StreamController).Assembly;
        if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == assembly))
        {
            parts.ApplicationParts.Add(new AssemblyPart(assembly));
        }
    }

    private sealed class SseBuilder(IServiceCollection services) : ISseBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}
