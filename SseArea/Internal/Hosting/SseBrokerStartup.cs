using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SseArea.Internal.Diagnostics;
using SseArea.Internal.Fanout;

namespace SseArea.Internal.Hosting;

/// <summary>Creates the broker at application start, says which one it is, and lets it start connecting.</summary>
internal sealed class SseBrokerStartup(ISseBroker broker, ILogger<SseBrokerStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        SseLog.BrokerSelected(logger, broker.Description);
        return broker.StartAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
