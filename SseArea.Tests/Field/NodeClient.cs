using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Field;

/// <summary>
/// A real npm SSE client (<c>eventsource</c> or <c>@microsoft/fetch-event-source</c>, the versions pinned in
/// <c>Field/clients/package.json</c>) following a stream in a node process: what its user would see, line by line.
/// </summary>
internal sealed class NodeClient : IAsyncDisposable
{
    private readonly Process _node;
    private readonly Channel<JsonElement> _seen = Channel.CreateUnbounded<JsonElement>();
    private readonly List<JsonElement> _all = [];

    private NodeClient(Process node)
    {
        _node = node;
        _node.OutputDataReceived += (_, line) =>
        {
            if (line.Data is { Length: > 0 } text)
            {
                _seen.Writer.TryWrite(JsonDocument.Parse(text).RootElement.Clone());
            }
        };
        _node.BeginOutputReadLine();
    }

    /// <summary>Everything the client reported so far, in order.</summary>
    public IReadOnlyList<JsonElement> Seen => _all;

    /// <summary>Starts <paramref name="client"/> on <paramref name="url"/>; the test is ignored (failed under CI) without node or the packages.</summary>
    public static NodeClient Start(string client, string url)
    {
        var folder = Path.Combine(Repository.Root(), "SseArea.Tests", "Field", "clients");
        if (LocalTools.Find("node") is not { } node || !Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            LocalTools.Unavailable($"node and the npm clients are needed (eng/test.sh installs them: npm ci --prefix {folder}).");
            throw new InvalidOperationException("unreachable");
        }

        var start = new ProcessStartInfo(node)
        {
            ArgumentList = { Path.Combine(folder, "client.mjs"), client, url },
            WorkingDirectory = folder,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        return new NodeClient(Process.Start(start)!);
    }

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

    public async ValueTask DisposeAsync()
    {
        _node.StandardInput.Close(); // the script ends when its stdin does
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _node.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            _node.Kill();
        }

        _node.Dispose();
    }
}
