namespace SseArea.Tests.Infrastructure;

/// <summary>A fixture's one running site (<see cref="TestSite{TEntryPoint}"/>), shared by the fixture's tests.</summary>
public abstract class SiteFixture<TEntryPoint>
    where TEntryPoint : class
{
    internal TestSite<TEntryPoint> Site { get; private set; } = null!;

    /// <summary>A client of <see cref="Site"/>.</summary>
    protected HttpClient Http => Site.Http;

    protected ISsePublisher Publisher => Site.Publisher;

    /// <summary>How the fixture's site is set up: its broker, settings, services.</summary>
    private protected virtual TestSiteOptions SiteOptions => new();

    [OneTimeSetUp]
    public async Task StartSiteAsync() => Site = await TestSite<TEntryPoint>.StartAsync(SiteOptions);

    [OneTimeTearDown]
    public async Task StopSiteAsync()
    {
        if (Site is not null)
        {
            await Site.DisposeAsync();
        }
    }
}

/// <summary>A fixture's one running test host, shared by the fixture's tests.</summary>
public abstract class TestSiteFixture : SiteFixture<TestHost.Program>;
