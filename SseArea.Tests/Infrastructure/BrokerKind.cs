namespace SseArea.Tests.Infrastructure;

/// <summary>Which broker a test site runs on: in memory, or the run's shared Redis (<see cref="RedisTestServer"/>).</summary>
public enum BrokerKind
{
    InMemory,
    Redis,
}
