using Microsoft.AspNetCore.Authentication;

namespace SseArea.TestHost;

/// <summary>
/// The smallest site the library needs, and nothing of SampleSite: the <c>Sse</c> area bound from
/// configuration, <see cref="TestAuthHandler"/> as the only scheme, <c>/healthz</c>, the area's
/// script, a page of <c>&lt;sse-stream&gt;</c> elements and a publish endpoint. Access rules,
/// middleware and other services are the test's to add.
/// </summary>
public sealed class Program
{
    public static void Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // The area's script is a static web asset of the library: served in every environment here.
        builder.WebHost.UseStaticWebAssets();

        builder.Services.AddControllersWithViews();
        builder.Services.AddSse();
        builder.Services.AddAuthentication(TestAuthHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        var controllers = app.MapControllers();
        if (app.Configuration["TestHost:ControllersPolicy"] is { Length: > 0 } policy)
        {
            controllers.RequireAuthorization(policy); // as an app may put its controllers behind a policy
        }

        app.MapHealthChecks("/healthz");
        app.MapTestPublish();
        app.Run();
    }
}
