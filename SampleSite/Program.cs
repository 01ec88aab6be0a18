using Microsoft.AspNetCore.Authentication.Cookies;
using SampleSite.Models;
using SampleSite.Services;

var builder = WebApplication.CreateBuilder(args);
// Kestrel's socket transport from configuration (Kestrel:Sockets), e.g. UnsafePreferInlineScheduling:
// see docs/against-nchan.md "Settings for many streams".
builder.WebHost.UseSockets(options => builder.Configuration.GetSection("Kestrel:Sockets").Bind(options));

var mvc = builder.Services.AddControllersWithViews();
builder.Services.AddRazorPages(); // Pages/Live.cshtml: <sse-stream> in a Razor Page
#if DEBUG
if (builder.Environment.IsDevelopment())
{
    // Edit a .cshtml file and reload: the view is compiled again without a rebuild.
    mvc.AddRazorRuntimeCompilation();
}
#endif

// Demo sign-in: cookie authentication against the users of the DemoUsers section.
builder.Services.Configure<DemoUsersOptions>(builder.Configuration.GetSection(DemoUsersOptions.SectionName));
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.LoginPath = "/account/login";
        options.LogoutPath = "/account/logout";
        options.AccessDeniedPath = "/account/denied";
    });
builder.Services.AddAuthorization(options => options.AddPolicy("Admins", policy => policy.RequireRole("Admin")));

// The Sse area: /sse/stream, ISsePublisher, and the broker (Redis when Sse:Redis:Url,
// SSE_REDIS_URL or REDIS_URL is set, in-memory otherwise). The analytics channel is for
// admins only: Flask-SSE's @sse.before_request example, as one line.
builder.Services.AddSse()
    .AddChannelAccess(AnalyticsPublisher.Channel, roles: "Admin")
    .AddDashboard(policy: "Admins"); // the operator's dashboard at /sse/dashboard, for admins

builder.Services.AddHostedService<AnalyticsPublisher>();
builder.Services.AddPublishingLimit(); // the publishing forms: 20 posts per 10 s per address
builder.Services.AddSingleton<RecentStatuses>(); // the timeline's state, drawn on load and again after sse-missed

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Home/Error");
}

app.UseStaticFiles();
app.UseRouting();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.MapControllers();
app.MapHealthChecks("/healthz"); // AddSse registered the "sse" check: Healthy while the broker works
app.MapDefaultControllerRoute();
app.MapRazorPages();
app.MapSse(); // the stream endpoint; MapControllers above maps it already, but a Razor Pages-only site needs this line

app.Run();
