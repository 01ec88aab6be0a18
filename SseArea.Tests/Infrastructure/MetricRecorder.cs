using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace SseArea.Tests.Infrastructure;

/// <summary>Sums the measurements of one site's SseArea meter (the instruments of its own <see cref="IMeterFactory"/>).</summary>
internal sealed class MetricRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, long> _sums = [];
    private readonly Lock _gate = new();

    public MetricRecorder(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "SseArea" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (_gate)
            {
                _sums[instrument.Name] = _sums.GetValueOrDefault(instrument.Name) + value;
            }
        });
        _listener.Start();
    }

    public long Sum(string name)
    {
        lock (_gate)
        {
            return _sums.GetValueOrDefault(name);
        }
    }

    public void Dispose() => _listener.Dispose();
}
