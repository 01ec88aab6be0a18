using SseArea.Baseline;
using StackExchange.Redis;

// GET /sse/stream?channel=NAME streams the channel's events; Baseline:Redis (env Baseline__Redis)
// is the Redis to follow, as host:port; Kestrel:Sockets configures the socket transport, as in SampleSite.
// Nothing else: no MVC, no filters, no options.
var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseSockets(options => builder.Configuration.GetSection("Kestrel:Sockets").Bind(options));
var redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
{
    EndPoints = { builder.Configuration["Baseline:Redis"] ?? "127.0.0.1:6379" },
    ClientName = "SseArea.Baseline",
});
builder.Services.AddSingleton(new FanOutHub(redis));

var app = builder.Build();
app.MapGet("/sse/stream", (HttpContext context, FanOutHub hub) => hub.StreamAsync(context));
app.Run();
