using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace SseArea.Tests.Infrastructure;

/// <summary>Which broker a test host runs on.</summary>
public enum BrokerKind
{
    InMemory,
    Redis,
}

/// <summary>SampleSite in a test host, configured the way a user configures it: by settings.</summary>
internal sealed class SampleSiteFactory(IReadOnlyDictionary<string, string?> settings, Action<IServiceCollection>? services = null)
    : WebApplicationFactory<Program>
{
    /// <summary>SampleSite on the given broker; Redis is the run's shared test server.</summary>
    public static async Task<SampleSiteFactory> CreateAsync(BrokerKind broker, IReadOnlyDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var settings = new Dictionary<string, string?>
        {
            // Whatever the environment holds, the broker is the one this fixture asks for.
            ["REDIS_URL"] = string.Empty,
            ["SSE_REDIS_URL"] = string.Empty,
            ["Sse:Redis:Url"] = broker == BrokerKind.Redis ? (await RedisTestServer.GetAsync()).Url : string.Empty,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return new SampleSiteFactory(settings, services);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Not Development: views come precompiled, as in production (no runtime compilation).
        builder.UseEnvironment("Testing");
        // Outside Development the host leaves static web assets off; the library's script lives there.
        builder.UseStaticWebAssets();
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
        if (services is not null)
        {
            builder.ConfigureServices(services);
        }
    }
}
