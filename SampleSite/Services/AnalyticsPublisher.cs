using System.Diagnostics;
using SseArea;

namespace SampleSite.Services;

/// <summary>
/// Feeds the admin-only <c>analytics</c> channel: every <see cref="Interval"/>, one <c>figures</c>
/// event with live numbers of this server.
/// </summary>
public sealed partial class AnalyticsPublisher(ISsePublisher sse, TimeProvider clock, ILogger<AnalyticsPublisher> logger) : BackgroundService
{
    public const string Channel = "analytics";
    public const string EventType = "figures";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly DateTimeOffset _started = clock.GetUtcNow();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            do
            {
                try
                {
                    await sse.PublishAsync(Measure(), type: EventType, channel: Channel, cancellationToken: stoppingToken);
                }
                catch (SseBrokerException e)
                {
                    // Redis is down: these figures are lost, the next ones go out when it is back.
                    LogPublishFailed(logger, e.Message);
                }
                catch (ArgumentException e)
                {
                    // The channel is not valid under this site's Sse options: say so once and stop
                    // feeding it, rather than stopping the whole site.
                    LogChannelRefused(logger, e.Message);
                    return;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private object Measure()
    {
        using var process = Process.GetCurrentProcess();
        var now = clock.GetUtcNow();
        return new
        {
            time = now,
            uptimeSeconds = (long)(now - _started).TotalSeconds,
            workingSetMiB = Math.Round(process.WorkingSet64 / 1048576.0, 1),
            gcHeapMiB = Math.Round(GC.GetTotalMemory(false) / 1048576.0, 1),
            threads = process.Threads.Count,
        };
    }

    [LoggerMessage(1, LogLevel.Warning, "Analytics figures not published: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);

    [LoggerMessage(2, LogLevel.Error, "The analytics channel can not be published to, analytics stop: {Reason}")]
    private static partial void LogChannelRefused(ILogger logger, string reason);
}
