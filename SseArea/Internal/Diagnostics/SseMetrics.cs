using System.Diagnostics.Metrics;

namespace SseArea.Internal.Diagnostics;

/// <summary>The <c>SseArea</c> meter and its instruments, made through <see cref="IMeterFactory"/>: one per application.</summary>
internal sealed class SseMetrics
{
    /// <summary>The meter's name, for <c>AddMeter("SseArea")</c> in OpenTelemetry or <c>dotnet-counters</c>.</summary>
    public const string MeterName = "SseArea";

    private readonly UpDownCounter<long> _connectionsCurrent;
    private readonly Counter<long> _connectionsOpened;
    private readonly Counter<long> _connectionsClosed;
    private readonly Counter<long> _eventsPublished;
    private readonly Counter<long> _eventsDelivered;
    private readonly Counter<long> _eventsDropped;
    private readonly Counter<long> _eventsReplayed;
    private readonly Counter<long> _clientsDropped;
    private readonly Counter<long> _redisReconnects;
    private readonly Counter<long> _accessRefused;
    private readonly UpDownCounter<long> _replaysWaiting;
    private readonly Counter<long> _missedSent;
    private readonly Counter<long> _requestsInvalid;
    private readonly Counter<long> _redisGaps;

    public SseMetrics(IMeterFactory meterFactory)
    {
        var meter = Meter = meterFactory.Create(MeterName);
        _connectionsCurrent = meter.CreateUpDownCounter<long>("sse.connections.current", "{connection}", "Open event streams.");
        _connectionsOpened = meter.CreateCounter<long>("sse.connections.opened", "{connection}", "Event streams opened.");
        _connectionsClosed = meter.CreateCounter<long>("sse.connections.closed", "{connection}", "Event streams closed, for any reason.");
        _eventsPublished = meter.CreateCounter<long>("sse.events.published", "{event}", "Events published by this process.");
        _eventsDelivered = meter.CreateCounter<long>("sse.events.delivered", "{event}", "Events handed to a local stream (one per stream).");
        _eventsDropped = meter.CreateCounter<long>("sse.events.dropped", "{event}", "Events a local stream could not take because its queue was full.");
        _eventsReplayed = meter.CreateCounter<long>("sse.events.replayed", "{event}", "Events sent again to reconnecting clients (Last-Event-ID).");
        _clientsDropped = meter.CreateCounter<long>("sse.clients.dropped", "{connection}", "Streams closed because the client fell too far behind.");
        _redisReconnects = meter.CreateCounter<long>("sse.redis.reconnects", "{reconnect}", "Connections to Redis restored after a failure.");
        _replaysWaiting = meter.CreateUpDownCounter<long>("sse.replays.waiting", "{stream}", "Streams waiting to read their replay from Redis (Sse:MaxConcurrentReplays are read at once).");
        _missedSent = meter.CreateCounter<long>("sse.missed.sent", "{notice}", "sse-missed notices sent: a reconnect whose events were gone, a replay over the budget, a gap in a Redis subscription.");
        _redisGaps = meter.CreateCounter<long>("sse.redis.gaps", "{gap}", "Redis subscription connections that came back after a gap (their streams were told sse-missed).");
        _requestsInvalid = meter.CreateCounter<long>("sse.requests.invalid", "{request}", "Stream requests answered 400 (a bad channel, Last-Event-ID or parameter).");
        _accessRefused = meter.CreateCounter<long>("sse.access.refused", "{request}", "Stream requests refused by the Sse area's access rules and filters (403).");
    }

    /// <summary>This application's meter (the process may hold others of the same name, one per host).</summary>
    public Meter Meter { get; }

    public void ConnectionOpened()
    {
        _connectionsCurrent.Add(1);
        _connectionsOpened.Add(1);
    }

    public void ConnectionClosed()
    {
        _connectionsCurrent.Add(-1);
        _connectionsClosed.Add(1);
    }

    public void EventPublished() => _eventsPublished.Add(1);

    /// <summary>Counts one fan-out: <paramref name="delivered"/> streams took the event, <paramref name="dropped"/> did not.</summary>
    public void EventFannedOut(int delivered, int dropped)
    {
        AddAny(_eventsDelivered, delivered);
        AddAny(_eventsDropped, dropped);
    }

    public void EventsReplayed(int count) => AddAny(_eventsReplayed, count);

    public void ClientDropped() => _clientsDropped.Add(1);

    public void RedisReconnected() => _redisReconnects.Add(1);

    public void AccessRefused() => _accessRefused.Add(1);

    public void MissedSent(int count) => AddAny(_missedSent, count);

    public void RequestInvalid() => _requestsInvalid.Add(1);

    public void RedisGap() => _redisGaps.Add(1);

    /// <summary>One more (1) or one fewer (-1) stream waits for a replay slot.</summary>
    public void ReplayWaiting(int change) => _replaysWaiting.Add(change);

    // An Add of zero would still reach every listener as a measurement.
    private static void AddAny(Counter<long> counter, int count)
    {
        if (count > 0)
        {
            counter.Add(count);
        }
    }
}
