var builder = WebApplication.CreateBuilder(args);

var mvc = builder.Services.AddControllersWithViews();
#if DEBUG
if (builder.Environment.IsDevelopment())
{
    // Edit a .cshtml file and reload: the view is compiled again without a rebuild.
    mvc.AddRazorRuntimeCompilation();
}
#endif

// The Sse area: /sse/stream, ISsePublisher, and the broker (Redis when Sse:RedisUrl,
// SSE_REDIS_URL or REDIS_URL is set, in-memory otherwise).
builder.Services.AddSse();

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/Home/Error");
}

app.UseStaticFiles();
app.UseRouting();
app.MapControllers();
app.MapHealthChecks("/healthz"); // AddSse registered the "sse" check: Healthy while the broker works
app.MapDefaultControllerRoute();

app.Run();
