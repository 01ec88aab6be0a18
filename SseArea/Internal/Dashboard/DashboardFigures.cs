using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using SseArea.Internal.Delivery;
using SseArea.Internal.Diagnostics;
using SseArea.Internal.Fanout;

namespace SseArea.Internal.Dashboard;

/// <summary>
/// This server's figures for the dashboard, from what the library already measures: the totals of the <c>SseArea</c>
/// meter's instruments (listened to, this application's meter only), the open streams per channel, and the broker's
/// own answer to the health check. Nothing is counted twice.
/// </summary>
internal sealed class DashboardFigures : IDisposable
{
    /// <summary>How often the broker is asked whether it is well (it may PING Redis).</summary>
    private static readonly TimeSpan ProblemInterval = TimeSpan.FromSeconds(5);

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _totals = new(StringComparer.Ordinal);
    private readonly OpenStreams _streams;
    private readonly ISseBroker _broker;
    private readonly TimeProvider _time;
    private readonly string _channel;
    private (long At, string? Problem)? _problem;

    public DashboardFigures(SseMetrics metrics, OpenStreams streams, ISseBroker broker, TimeProvider time, IOptions<SseDashboardOptions> options)
    {
        _streams = streams;
        _broker = broker;
        _time = time;
        _channel = options.Value.Channel;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => _totals.AddOrUpdate(instrument.Name, value, (_, total) => total + value));
        _listener.Start();
    }

    /// <summary>The server's name on the page: machine, process, and this application in it.</summary>
    public string Server { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>This server's figures now.</summary>
    public async Task<DashboardSnapshot> TakeAsync(CancellationToken cancellationToken)
    {
        var perChannel = _streams.CountByChannel();
        var viewers = perChannel.GetValueOrDefault(_channel);
        perChannel.Remove(_channel);
        var busiest = perChannel.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Take(20)
            .Select(c => new DashboardChannel(c.Key, c.Value)).ToList();
        return new DashboardSnapshot(
            Server,
            _time.GetUtcNow().ToUnixTimeMilliseconds(),
            _streams.Count - viewers,
            viewers,
            perChannel.Count,
            busiest,
            new SortedDictionary<string, long>(_totals, StringComparer.Ordinal),
            _broker.Description,
            await _broker.EndpointsAsync(),
            await ProblemAsync(cancellationToken));
    }

    public void Dispose() => _listener.Dispose();

    private async Task<string?> ProblemAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        if (_problem is { } known && _time.GetElapsedTime(known.At, now) < ProblemInterval)
        {
            return known.Problem;
        }

        string? problem;
        try
        {
            problem = await _broker.ProblemAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            problem = e.Message;
        }

        _problem = (now, problem);
        return problem;
    }
}

/// <summary>One server's figures at one moment: what the page draws (its JSON is the <c>sse-dashboard</c> event's data).</summary>
/// <param name="Server">Machine and process.</param>
/// <param name="At">Unix time in milliseconds.</param>
/// <param name="Connections">Open streams, the dashboard's own left out.</param>
/// <param name="Viewers">Open dashboard streams.</param>
/// <param name="Channels">How many channels have a stream here.</param>
/// <param name="Busiest">The channels with the most streams here (at most 20).</param>
/// <param name="Totals">Each instrument of the <c>SseArea</c> meter since the server started (a gauge's current value).</param>
/// <param name="Broker">What the broker is.</param>
/// <param name="Endpoints">The broker's servers (Redis: each master) and whether this server is connected to each.</param>
/// <param name="Problem">What the health check would say is wrong; <see langword="null"/> when well.</param>
internal sealed record DashboardSnapshot(string Server, long At, int Connections, int Viewers, int Channels, IReadOnlyList<DashboardChannel> Busiest, IReadOnlyDictionary<string, long> Totals, string Broker, IReadOnlyList<SseBrokerEndpoint> Endpoints, string? Problem);

/// <summary>A channel and its streams on one server.</summary>
internal sealed record DashboardChannel(string Channel, int Streams);
