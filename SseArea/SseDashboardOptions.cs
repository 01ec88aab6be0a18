namespace SseArea;

/// <summary>
/// The operator's dashboard, turned on by <c>AddSse().AddDashboard(policy)</c>: where it is, who may see it, and how
/// often it updates. Off until then (its path answers 404).
/// </summary>
public sealed class SseDashboardOptions
{
    /// <summary>The authorization policy a user must meet to see the dashboard and follow its channel. Required.</summary>
    public string Policy { get; set; } = string.Empty;

    /// <summary>The page's path. Default <c>sse/dashboard</c>.</summary>
    public string Path { get; set; } = "sse/dashboard";

    /// <summary>The channel the page's figures travel on; only <see cref="Policy"/> may follow it. Default <c>sse-dashboard</c>.</summary>
    public string Channel { get; set; } = "sse-dashboard";

    /// <summary>How often each server publishes its figures while someone watches. Between 200 ms and 1 minute; default 1 s.</summary>
    public TimeSpan UpdateInterval { get; set; } = TimeSpan.FromSeconds(1);
}
