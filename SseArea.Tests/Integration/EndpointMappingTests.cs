using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// Where the stream endpoint comes from in each kind of site: <c>app.MapSse()</c> in a Razor Pages-only site and a bare
/// <c>dotnet new web</c> site, MVC's own mapping in a controllers site (with <c>MapSse()</c> as well, once), and a
/// startup error naming the call when nothing maps it. Each site is a real WebApplication on a loopback port.
/// </summary>
[CancelAfter(60_000)]
public sealed class EndpointMappingTests
{
    [TestCase("razor-pages")]
    [TestCase("bare")]
    [TestCase("controllers")]
    [TestCase("controllers-and-MapSse")]
    public async Task TheStream_IsReachable_AndStreams(string kind)
    {
        await using var app = await StartAsync(kind, mapSse: kind is "razor-pages" or "bare" or "controllers-and-MapSse");
        using var http = new HttpClient { BaseAddress = Address(app) };
        await using var stream = await SseTestStream.OpenAsync(http, "/sse/stream?channel=mapped");

        Assert.That(await app.Services.GetRequiredService<ISsePublisher>().PublishAsync("hello", channel: "mapped"), Is.EqualTo(1));
        Assert.That(await stream.ReadEventAsync(), Is.EqualTo("data:hello\n\n"));
        Assert.That(app.Services.GetRequiredService<EndpointDataSource>().Endpoints.Count(e => e.Metadata.GetMetadata<RouteNameMetadata>()?.RouteName == SseAreaNames.StreamRouteName), Is.EqualTo(1), "one stream endpoint");
    }

    [TestCase("razor-pages")]
    [TestCase("bare")]
    public async Task ASiteThatMapsNoStream_FailsAtStartup_SayingWhatToCall(string kind)
    {
        var error = Assert.ThrowsAsync<InvalidOperationException>(async () => await (await StartAsync(kind, mapSse: false)).DisposeAsync());

        Assert.That(error!.Message, Does.Contain("app.MapSse()").And.Contain("Sse:RequireStreamEndpoint"));
    }

    [Test]
    public async Task ASiteThatOnlyPublishes_MayMapNoStream()
    {
        await using var app = await StartAsync("bare", mapSse: false, requireStream: false);

        using var http = new HttpClient { BaseAddress = Address(app) };
        using var response = await http.GetAsync("/sse/stream");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task InARazorPagesSite_TheStreamUrl_IsGeneratedFromItsRouteName()
    {
        await using var app = await StartAsync("razor-pages", mapSse: true);
        var links = app.Services.GetRequiredService<LinkGenerator>();

        Assert.That(links.GetPathByRouteValues(SseAreaNames.StreamRouteName, new { area = SseAreaNames.Area, channel = "news" }), Is.EqualTo("/sse/stream?channel=news"));
    }

    private static async Task<WebApplication> StartAsync(string kind, bool mapSse, bool requireStream = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        if (kind == "razor-pages")
        {
            builder.Services.AddRazorPages();
        }
        else if (kind.StartsWith("controllers", StringComparison.Ordinal))
        {
            builder.Services.AddControllers();
        }

        builder.Services.AddSse(o => o.RequireStreamEndpoint = requireStream);
        var app = builder.Build();
        if (kind == "razor-pages")
        {
            app.MapRazorPages();
        }
        else if (kind.StartsWith("controllers", StringComparison.Ordinal))
        {
            app.MapControllers();
        }
        else
        {
            app.MapGet("/", () => "a bare site");
        }

        if (mapSse)
        {
            app.MapSse();
        }

        try
        {
            await app.StartAsync();
            return app;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    private static Uri Address(WebApplication app)
        => new(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
}
