using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using SseArea.Internal.Delivery;

namespace SseArea.Tests.Unit;

/// <summary>An <see cref="OpenStreams"/> of a test's own: its clock, its heartbeat interval, and an application stop the test triggers.</summary>
internal sealed class TestStreams : IHostApplicationLifetime, IDisposable
{
    private readonly CancellationTokenSource _stopping = new();

    public TestStreams(TimeSpan heartbeatInterval, TimeProvider? time = null)
    {
        Streams = new OpenStreams(Options.Create(new SseOptions { HeartbeatInterval = heartbeatInterval }), time ?? TimeProvider.System, this);
    }

    public OpenStreams Streams { get; }

    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => _stopping.Token;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    /// <summary>A stream of these open streams with room for <paramref name="capacity"/> queued events.</summary>
    public SseConnection Connection(int capacity) => new(capacity, Streams);

    public void StopApplication() => _stopping.Cancel();

    public void Dispose()
    {
        Streams.Dispose();
        _stopping.Dispose();
    }
}
