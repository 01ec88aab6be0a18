using System.Text.Json;
using System.Threading.Channels;

namespace SseArea.Tests.Field;

/// <summary>
/// A real SSE client following a stream, reporting what its user sees as JSON lines in one shape for every client:
/// <c>{"kind":"open"}</c>, <c>{"kind":"message","event":..,"data":..,"id":..}</c>, <c>{"kind":"position","id":..}</c>
/// (the <c>sse-position</c> event, where the client hands typed events to their own listeners), <c>{"kind":"error",..}</c>.
/// </summary>
internal abstract class FieldClient : IAsyncDisposable
{
    /// <summary>The clients the field tests run: npm's two, Python's <c>requests</c> and .NET's <c>SseParser</c>.</summary>
    public static readonly string[] All = ["eventsource", "fetch-event-source", "python-requests", "dotnet-sseparser"];

    private readonly Channel<JsonElement> _seen = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _all = [];

    /// <summary>Everything the client reported so far, in order, up to the last <see cref="NextAsync"/>.</summary>
    public IReadOnlyList<JsonElement> Seen => _all;

    /// <summary>Starts <paramref name="client"/> (one of <see cref="All"/>) on <paramref name="url"/>.</summary>
    public static FieldClient Start(string client, string url)
        => client == "dotnet-sseparser" ? DotNetSseClient.Start(url) : ProcessClient.Start(client, url);

    /// <summary>The next report of <paramref name="kind"/> (others seen meanwhile are kept in <see cref="Seen"/>).</summary>
    public async Task<JsonElement> NextAsync(string kind, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(15));
        try
        {
            while (true)
            {
                var line = await _seen.Reader.ReadAsync(deadline.Token);
                _all.Add(line);
                if (line.GetProperty("kind").GetString() == kind)
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"The client reported no '{kind}' in time; it reported: {string.Join(" ", _all)}");
        }
    }

    public abstract ValueTask DisposeAsync();

    /// <summary>Hands on one report.</summary>
    protected void Report(JsonElement line) => _seen.Writer.TryWrite(line);
}
