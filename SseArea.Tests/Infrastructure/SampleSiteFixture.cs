using Microsoft.Extensions.DependencyInjection;

namespace SseArea.Tests.Infrastructure;

/// <summary>A fixture's one running SampleSite, its HTTP client and its publisher, shared by the fixture's tests.</summary>
public abstract class SampleSiteFixture(BrokerKind broker)
{
    protected BrokerKind Broker { get; } = broker;

    internal SampleSiteFactory Site { get; private set; } = null!;

    protected HttpClient Http { get; private set; } = null!;

    protected ISsePublisher Publisher { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartSiteAsync()
    {
        Site = await SampleSiteFactory.CreateAsync(Broker, services: ConfigureServices);
        Http = Site.CreateClient();
        Publisher = Site.Services.GetRequiredService<ISsePublisher>();
    }

    /// <summary>Registrations a fixture adds to SampleSite's own; they run after Program.cs's.</summary>
    protected virtual void ConfigureServices(IServiceCollection services)
    {
    }

    [OneTimeTearDown]
    public async Task StopSiteAsync()
    {
        Http.Dispose();
        await Site.DisposeAsync();
    }
}
