using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Razor.Compilation;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SseArea.Areas.Sse.Controllers;
using SseArea.Internal.Access;
using SseArea.Internal.Delivery;
using SseArea.Internal.Diagnostics;
using SseArea.Internal.Fanout;
using SseArea.Internal.Fanout.InMemory;
using SseArea.Internal.Http;
using SseArea.Internal.Publishing;
using SseArea.Internal.Redis;
using SseArea.Internal.Views;
using SseArea.TagHelpers;

namespace SseArea.Internal.Hosting;

/// <summary>
/// What <c>AddSse()</c> registers: once, however often it is called, replacing nothing the application registered.
/// </summary>
internal static class SseServices
{
    public static void Add(IServiceCollection services, Action<SseOptions>? configure)
    {
        var options = services.AddOptions<SseOptions>().BindConfiguration(SseOptions.SectionName);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<SseOptions>, SseOptionsSetup>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SseOptions>, SseOptionsValidator>());
        services.AddOptions<SseAccessOptions>();

        // The area: the library's controller as an application part, its conventions, its stream endpoint.
        services.AddMvcCore().ConfigureApplicationPartManager(AddLibraryPart);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<MvcOptions>, SseAreaConvention>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<MatcherPolicy, SseStreamEndpointPolicy>());
        services.TryAddEnumerable(ServiceDescriptor.Transient<ITagHelperComponent, SseUnrenderedElementWarning>()); // Development only
        services.AddAuthorization(); // the policy provider and evaluator the area authorizes with (the app's own, when it has them)

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
        services.TryAddSingleton<PartialRenderer>();
        services.TryAddSingleton<ComponentRenderer>();
        services.TryAddSingleton<ISseViews, SseViews>();
        services.TryAddSingleton<OpenStreams>();
        services.TryAddSingleton<ISseStreams>(provider => provider.GetRequiredService<OpenStreams>());
        services.TryAddSingleton<SseStreamHandler>();
        services.TryAddSingleton<SseAuthorization>();
        services.TryAddSingleton<SseAccessFilter>();
        services.AddHostedService<SseBrokerStartup>();
        services.AddHostedService<SseAccessStartupCheck>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, SseEndpointStartupCheck>());
    }

    private static ISseBroker CreateBroker(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<SseOptions>>();
        return options.Value.Redis.IsConfigured
            ? ActivatorUtilities.CreateInstance<RedisSseBroker>(services)
            : new InMemorySseBroker(options.Value.HistoryLength, services.GetRequiredService<SseMetrics>());
    }

    private static void AddLibraryPart(ApplicationPartManager parts)
    {
        var assembly = typeof(StreamController).Assembly;
        if (!parts.ApplicationParts.OfType<AssemblyPart>().Any(p => p.Assembly == assembly))
        {
            parts.ApplicationParts.Add(new AssemblyPart(assembly));
        }

        // Its compiled views (the dashboard's), also where the application's own assembly does not name the library.
        if (!parts.ApplicationParts.OfType<CompiledRazorAssemblyPart>().Any(p => p.Assembly == assembly))
        {
            parts.ApplicationParts.Add(new CompiledRazorAssemblyPart(assembly));
        }
    }
}
