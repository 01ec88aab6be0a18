using System.Net.ServerSentEvents;
using System.Text.Json;

namespace SseArea.Tests.Field;

/// <summary>
/// A stream followed the way a .NET program does with the framework's own parser (<c>SseParser</c>, in the .NET 10
/// shared framework): a GET with <c>Accept: text/event-stream</c>, <c>EnumerateAsync</c>, and on an end or a failure a
/// reconnect after the server's <c>retry:</c> (1 s when it gave none) with <c>Last-Event-ID</c> from the parser (the
/// last one that had an id). The parser takes an id when it reads the <c>id:</c> line, not when the event is dispatched.
/// </summary>
internal sealed class DotNetSseClient : FieldClient
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new() { Timeout = Timeout.InfiniteTimeSpan };
    private Task _following = Task.CompletedTask;

    /// <summary>Starts following <paramref name="url"/>.</summary>
    public static DotNetSseClient Start(string url)
    {
        var client = new DotNetSseClient();
        client._following = client.FollowAsync(url, client._stop.Token);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _following;
        _http.Dispose();
        _stop.Dispose();
    }

    private async Task FollowAsync(string url, CancellationToken stop)
    {
        var lastEventId = string.Empty;
        var retry = TimeSpan.FromSeconds(1);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Accept.ParseAdd("text/event-stream");
                if (lastEventId.Length > 0)
                {
                    request.Headers.Add("Last-Event-ID", lastEventId);
                }

                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
                if (!response.IsSuccessStatusCode)
                {
                    Say(new { kind = "error", message = $"HTTP {(int)response.StatusCode}" });
                }
                else
                {
                    Say(new { kind = "open" });
                    var parser = SseParser.Create(await response.Content.ReadAsStreamAsync(stop));
                    try
                    {
                        await foreach (var item in parser.EnumerateAsync(stop))
                        {
                            if (item.EventType == "sse-position")
                            {
                                Say(new { kind = "position", id = parser.LastEventId });
                            }

                            Say(new { kind = "message", @event = item.EventType, data = item.Data, id = parser.LastEventId });
                        }
                    }
                    finally
                    {
                        // A new parser starts with no id: one that saw none (a stream cut before its first event) keeps the last.
                        lastEventId = parser.LastEventId is { Length: > 0 } id ? id : lastEventId;
                        retry = parser.ReconnectionInterval > TimeSpan.Zero && parser.ReconnectionInterval != Timeout.InfiniteTimeSpan ? parser.ReconnectionInterval : retry;
                    }
                }
            }
            catch (Exception e) when (e is HttpRequestException or IOException && !stop.IsCancellationRequested)
            {
                Say(new { kind = "error", message = e.Message });
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(retry, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Say(object line) => Report(JsonSerializer.SerializeToElement(line));
}
