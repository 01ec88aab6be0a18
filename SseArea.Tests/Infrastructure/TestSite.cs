using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace SseArea.Tests.Infrastructure;

/// <summary>How a <see cref="TestSite{TEntryPoint}"/> is set up.</summary>
internal sealed class TestSiteOptions
{
    /// <summary>The broker: in memory, or the run's shared Redis. A Redis URL in <see cref="Settings"/> wins.</summary>
    public BrokerKind Broker { get; init; }

    /// <summary>Configuration over the site's own (keys from <see cref="TestSettings"/>).</summary>
    public Dictionary<string, string?> Settings { get; init; } = [];

    /// <summary>Registrations added after the site's own (access rules, filters, a fake clock).</summary>
    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>Middleware in front of the site's pipeline (added by an <see cref="IStartupFilter"/>).</summary>
    public Action<IApplicationBuilder>? Middleware { get; init; }

    /// <summary>
    /// The in-memory test server instead of Kestrel: no request-line or header size limits, for a
    /// test of what the site itself answers to a request Kestrel would refuse first.
    /// </summary>
    public bool InMemoryServer { get; init; }

    /// <summary>Kestrel's loopback port; 0 takes a free one.</summary>
    public int Port { get; init; }

    /// <summary>The host environment; default <c>Testing</c> (precompiled views, errors not pages, as in production).</summary>
    public string Environment { get; init; } = "Testing";

    /// <summary>With a certificate, the site listens on HTTPS with HTTP/1.1 and HTTP/2 (as browsers reach HTTP/2).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; init; }
}

/// <summary>The library's test host in process: see <see cref="TestSite{TEntryPoint}"/>.</summary>
internal static class TestSite
{
    /// <summary>Starts the test host (<c>SseArea.Tests/TestHost</c>).</summary>
    public static Task<TestSite<TestHost.Program>> StartAsync(TestSiteOptions? options = null)
        => TestSite<TestHost.Program>.StartAsync(options ?? new TestSiteOptions());

    /// <summary>Starts the test host on the in-memory broker, with <paramref name="services"/> added to its own.</summary>
    public static Task<TestSite<TestHost.Program>> StartAsync(Action<IServiceCollection> services)
        => StartAsync(new TestSiteOptions { Services = services });

    /// <summary>Starts the test host on <paramref name="broker"/>, with <paramref name="settings"/>.</summary>
    public static Task<TestSite<TestHost.Program>> StartAsync(BrokerKind broker, Dictionary<string, string?>? settings = null)
        => StartAsync(new TestSiteOptions { Broker = broker, Settings = settings ?? [] });
}

/// <summary>
/// A site in process, configured the way a user configures it (settings, then services): the test
/// host, or SampleSite for its own tests. It listens on a loopback port with Kestrel (real sockets,
/// Kestrel's limits) unless <see cref="TestSiteOptions.InMemoryServer"/> asks for the test server.
/// Every log record is kept in <see cref="Logs"/>, the site's <c>SseArea</c> meter in <see cref="Metrics"/>.
/// </summary>
internal sealed class TestSite<TEntryPoint> : IAsyncDisposable
    where TEntryPoint : class
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly Factory _factory;
    private readonly bool _inMemory;

    private readonly string? _thumbprint;

    private TestSite(Factory factory, bool inMemory, string? thumbprint)
    {
        _factory = factory;
        _inMemory = inMemory;
        _thumbprint = thumbprint;
        Address = inMemory
            ? factory.Server.BaseAddress
            : new Uri(Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
        Http = CreateClient();
        Metrics = new MetricRecorder(Services);
    }

    /// <summary>Where the site listens, e.g. <c>http://127.0.0.1:40123/</c>.</summary>
    public Uri Address { get; }

    /// <summary>A client of this site, keeping cookies and following redirects.</summary>
    public HttpClient Http { get; }

    public IServiceProvider Services => _factory.Services;

    public ISsePublisher Publisher => Services.GetRequiredService<ISsePublisher>();

    public ISseChannelStats Stats => Services.GetRequiredService<ISseChannelStats>();

    /// <summary>The site's <c>SseArea</c> meter, summed from its start.</summary>
    public MetricRecorder Metrics { get; }

    /// <summary>Every log record of the site.</summary>
    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>Starts the site; a site that fails to start is disposed and its error thrown.</summary>
    public static async Task<TestSite<TEntryPoint>> StartAsync(TestSiteOptions options)
    {
        var settings = TestSettings.Broker(options.Broker == BrokerKind.Redis ? (await RedisTestServer.GetAsync()).Url : null);
        foreach (var (key, value) in options.Settings)
        {
            settings[key] = value;
        }

        var factory = new Factory(settings, options);
        try
        {
            if (!options.InMemoryServer)
            {
                factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
                {
                    if (options.Certificate is { } certificate)
                    {
                        listen.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1AndHttp2;
                        listen.UseHttps(certificate);
                    }
                }));
            }

            factory.StartServer();
            return new TestSite<TEntryPoint>(factory, options.InMemoryServer, options.Certificate?.Thumbprint);
        }
        catch
        {
            await factory.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Another client of this site; dispose it. A response disposed before its end closes its
    /// connection at once, as a browser leaving does (by default the client would read on for up to
    /// 2 s to reuse the connection, and the server would see the stream open that long).
    /// </summary>
    public HttpClient CreateClient(bool cookies = true, bool followRedirects = true)
    {
        if (_inMemory)
        {
            var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = cookies, AllowAutoRedirect = followRedirects });
            client.Timeout = RequestTimeout;
            return client;
        }

        var handler = new SocketsHttpHandler { UseCookies = cookies, AllowAutoRedirect = followRedirects, MaxResponseDrainSize = 0 };
        if (_thumbprint is not null)
        {
            // The test's own certificate, and only it.
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => string.Equals(certificate?.GetCertHashString(), _thumbprint, StringComparison.OrdinalIgnoreCase);
        }

        return new HttpClient(handler) { BaseAddress = Address, Timeout = RequestTimeout };
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        Metrics.Dispose();
        await _factory.DisposeAsync();
    }

    private sealed class Factory(Dictionary<string, string?> settings, TestSiteOptions options) : WebApplicationFactory<TEntryPoint>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            // Not Development: views come precompiled, errors are not pages, as in production.
            builder.UseEnvironment(options.Environment);
            // Outside Development the host leaves static web assets off; the library's script lives there.
            builder.UseStaticWebAssets();
            builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(settings));
            builder.ConfigureServices(services =>
            {
                services.AddFakeLogging();
                if (options.Middleware is { } middleware)
                {
                    services.AddSingleton<IStartupFilter>(new MiddlewareInFront(middleware));
                }

                options.Services?.Invoke(services);
            });
        }
    }

    private sealed class MiddlewareInFront(Action<IApplicationBuilder> middleware) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            middleware(app);
            next(app);
        };
    }
}
