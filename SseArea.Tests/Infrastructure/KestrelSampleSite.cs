using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// SampleSite in process behind real Kestrel on its own loopback port, as one server of several:
/// clients reach it over real sockets. <c>redisUrl</c> null means the in-memory broker.
/// </summary>
internal sealed class KestrelSampleSite : IAsyncDisposable
{
    private KestrelSampleSite(SampleSiteFactory factory, Uri address)
    {
        Factory = factory;
        Address = address;
        Http = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        Metrics = new MetricRecorder(factory);
    }

    public SampleSiteFactory Factory { get; }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Address { get; }

    /// <summary>A client of this server only.</summary>
    public HttpClient Http { get; }

    /// <summary>This server's <c>SseArea</c> meter, summed from its start.</summary>
    public MetricRecorder Metrics { get; }

    public IServiceProvider Services => Factory.Services;

    public ISsePublisher Publisher => Services.GetRequiredService<ISsePublisher>();

    public ISseChannelStats Stats => Services.GetRequiredService<ISseChannelStats>();

    public static async Task<KestrelSampleSite> StartAsync(string? redisUrl, IReadOnlyDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?> { ["Sse:Redis:Url"] = redisUrl ?? string.Empty };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        // BrokerKind.InMemory leaves Sse:Redis:Url to the settings above.
        var factory = await SampleSiteFactory.CreateAsync(BrokerKind.InMemory, settings);
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new KestrelSampleSite(factory, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Metrics.Dispose();
        await Factory.DisposeAsync();
    }
}
