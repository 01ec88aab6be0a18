using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseArea.Internal.Diagnostics;

namespace SseArea.Internal.Dashboard;

/// <summary>
/// Publishes this server's figures on the dashboard's channel every <see cref="SseDashboardOptions.UpdateInterval"/>,
/// while someone (on any server) follows it; each page adds up the servers it hears from.
/// </summary>
internal sealed class DashboardFeed(DashboardFigures figures, ISsePublisher publisher, ISseChannelStats stats, TimeProvider time, IOptions<SseDashboardOptions> options, ILogger<DashboardFeed> logger) : BackgroundService
{
    /// <summary>The event type of a figures event.</summary>
    public const string EventType = "sse-dashboard";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var channel = options.Value.Channel;
        using var timer = new PeriodicTimer(options.Value.UpdateInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    if (await stats.CountSubscribersAsync(channel, stoppingToken) > 0)
                    {
                        var snapshot = await figures.TakeAsync(stoppingToken);
                        await publisher.PublishAsync(JsonSerializer.Serialize(snapshot, Json), EventType, channel: channel, cancellationToken: stoppingToken);
                    }
                }
                catch (SseBrokerException e)
                {
                    SseLog.DashboardFailed(logger, e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}
