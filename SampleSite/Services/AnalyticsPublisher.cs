using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using SseArea;

namespace SampleSite.Services;

/// <summary>
/// Feeds the admin-only <c>analytics</c> channel: every <see cref="Interval"/>, while anyone
/// follows it (on any server), one <c>figures</c> event with live numbers: subscribers per channel
/// across every server (<see cref="ISseChannelStats"/>), this server's open streams and event rates
/// (read from the <c>SseArea</c> meter), and its memory.
/// </summary>
public sealed partial class AnalyticsPublisher : BackgroundService
{
    public const string Channel = "analytics";
    public const string EventType = "figures";
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly ISsePublisher _sse;
    private readonly ISseChannelStats _stats;
    private readonly TimeProvider _clock;
    private readonly ILogger<AnalyticsPublisher> _logger;
    private readonly string[] _watched;
    private readonly MeterListener _meter = new();
    private readonly DateTimeOffset _started;
    private long _connections;
    private long _published;
    private long _delivered;

    public AnalyticsPublisher(ISsePublisher sse, ISseChannelStats stats, IMeterFactory meters, IOptions<SseOptions> options, TimeProvider clock, ILogger<AnalyticsPublisher> logger)
    {
        _sse = sse;
        _stats = stats;
        _clock = clock;
        _logger = logger;
        _started = clock.GetUtcNow();
        _watched = [options.Value.DefaultChannel, "users.social", Channel];

        // This app's own SseArea instruments (its IMeterFactory is their meter's scope).
        _meter.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "SseArea" && ReferenceEquals(instrument.Meter.Scope, meters)
                && instrument.Name is "sse.connections.current" or "sse.events.published" or "sse.events.delivered")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _meter.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            switch (instrument.Name)
            {
                case "sse.connections.current": Interlocked.Add(ref _connections, value); break;
                case "sse.events.published": Interlocked.Add(ref _published, value); break;
                default: Interlocked.Add(ref _delivered, value); break;
            }
        });
        _meter.Start();
    }

    public override void Dispose()
    {
        _meter.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, _clock);
        var (published, delivered, since) = (0L, 0L, _clock.GetTimestamp());
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var seconds = _clock.GetElapsedTime(since).TotalSeconds;
                (since, var nowPublished, var nowDelivered) = (_clock.GetTimestamp(), Interlocked.Read(ref _published), Interlocked.Read(ref _delivered));
                var rates = (Published: (nowPublished - published) / seconds, Delivered: (nowDelivered - delivered) / seconds);
                (published, delivered) = (nowPublished, nowDelivered);
                try
                {
                    // Nobody watching, on any server: nothing to compute or send.
                    if (await _stats.CountSubscribersAsync(Channel, stoppingToken) > 0)
                    {
                        await _sse.PublishAsync(await MeasureAsync(rates, stoppingToken), type: EventType, channel: Channel, cancellationToken: stoppingToken);
                    }
                }
                catch (SseBrokerException e)
                {
                    // Redis is down: these figures are lost, the next ones go out when it is back.
                    LogPublishFailed(_logger, e.Message);
                }
                catch (ArgumentException e)
                {
                    // The channel is not valid under this site's Sse options: say so once and stop
                    // feeding it, rather than stopping the whole site.
                    LogChannelRefused(_logger, e.Message);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task<object> MeasureAsync((double Published, double Delivered) rates, CancellationToken cancellationToken)
    {
        var subscribers = new Dictionary<string, long>();
        foreach (var channel in _watched)
        {
            subscribers[channel] = await _stats.CountSubscribersAsync(channel, cancellationToken);
        }

        using var process = Process.GetCurrentProcess();
        var now = _clock.GetUtcNow();
        return new
        {
            time = now,
            subscribers,
            connections = Interlocked.Read(ref _connections),
            publishedPerSecond = Math.Round(rates.Published, 1),
            deliveredPerSecond = Math.Round(rates.Delivered, 1),
            uptimeSeconds = (long)(now - _started).TotalSeconds,
            workingSetMiB = Math.Round(process.WorkingSet64 / 1048576.0, 1),
            gcHeapMiB = Math.Round(GC.GetTotalMemory(false) / 1048576.0, 1),
        };
    }

    [LoggerMessage(1, LogLevel.Warning, "Analytics figures not published: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);

    [LoggerMessage(2, LogLevel.Error, "The analytics channel can not be published to, analytics stop: {Reason}")]
    private static partial void LogChannelRefused(ILogger logger, string reason);
}
