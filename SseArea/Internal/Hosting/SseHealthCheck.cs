using Microsoft.Extensions.Diagnostics.HealthChecks;
using SseArea.Internal.Fanout;

namespace SseArea.Internal.Hosting;

/// <summary>The <c>sse</c> health check: healthy while the broker can take events (Redis connected and answering, or in-memory).</summary>
internal sealed class SseHealthCheck(ISseBroker broker) : IHealthCheck
{
    public const string Name = "sse";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["broker"] = broker.Description };
        return await broker.ProblemAsync(cancellationToken) is { } problem
            ? new HealthCheckResult(context.Registration.FailureStatus, problem, data: data)
            : HealthCheckResult.Healthy(broker.Description, data);
    }
}
