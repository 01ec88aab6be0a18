using System.Diagnostics.Metrics;

namespace SseArea.Diagnostics;

/// <summary>The access-control instruments of the <c>SseArea</c> meter.</summary>
internal sealed class SseAccessMetrics
{
    public const string MeterName = "SseArea";

    private readonly Counter<long> _refused;

    public SseAccessMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _refused = meter.CreateCounter<long>("sse.access.refused", unit: "{request}",
            description: "Stream requests refused by the Sse area's access rules and filters (403).");
    }

    public void Refused(int channels) => _refused.Add(1, new KeyValuePair<string, object?>("sse.channels", channels));
}
