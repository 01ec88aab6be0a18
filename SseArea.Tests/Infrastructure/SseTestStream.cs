using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// A test's client end of one event stream: reads the raw event text as it arrives, so tests can
/// compare the exact bytes a browser would parse. Every read has a deadline.
/// </summary>
internal sealed class SseTestStream : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly Stream _body;
    private readonly Decoder _decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
    private readonly StringBuilder _pending = new();
    private readonly byte[] _bytes = new byte[16 * 1024];
    private readonly char[] _chars = new char[16 * 1024];

    private SseTestStream(HttpResponseMessage response, Stream body)
    {
        Response = response;
        _body = body;
    }

    public HttpResponseMessage Response { get; }

    /// <summary>
    /// Opens <paramref name="url"/> and waits for the response headers. SseArea sends them only once
    /// the subscription is in place, so an event published after this returns is received.
    /// </summary>
    public static async Task<SseTestStream> OpenAsync(HttpClient client, string url, Action<HttpRequestHeaders>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("text/event-stream");
        headers?.Invoke(request.Headers);
        using var deadline = new CancellationTokenSource(DefaultTimeout);
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var body = await response.Content.ReadAsStringAsync(deadline.Token);
            response.Dispose();
            Assert.Fail($"GET {url} answered {(int)response.StatusCode}: {body}");
        }

        return new SseTestStream(response, await response.Content.ReadAsStreamAsync(deadline.Token));
    }

    /// <summary>
    /// The next event's full text, up to and including its blank line. What a page's <c>onmessage</c> does not see is
    /// skipped: comments, the <c>sse-position</c> event (its id is kept in <see cref="LastEventId"/>) and the
    /// <c>sse-channel</c> event (<see cref="LastChannel"/>).
    /// </summary>
    public async Task<string> ReadEventAsync(TimeSpan? timeout = null)
    {
        // One deadline for the whole event: comments and id-only blocks (heartbeats) do not extend it.
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"No event within {limit.TotalSeconds} s (only comments or id-only blocks came).");
            }

            string block;
            try
            {
                block = await ReadBlockAsync(left);
            }
            catch (TimeoutException e)
            {
                // Name the whole wait, not the slice left after the heartbeats that came.
                throw new TimeoutException($"No event within {limit.TotalSeconds} s: {e.Message}", e);
            }

            var lines = block.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(line => !line.StartsWith(':')).ToList();
            if (lines.Contains("event:sse-position"))
            {
                // A page's onmessage never sees it; the browser keeps its id.
                LastEventId = lines.Last(line => line.StartsWith("id:", StringComparison.Ordinal))[3..];
                continue;
            }

            if (lines.Contains("event:sse-channel"))
            {
                // Names the channel of the next event on a stream of several channels.
                LastChannel = lines.Single(line => line.StartsWith("data:", StringComparison.Ordinal))[5..];
                continue;
            }

            if (lines.Count > 0)
            {
                return block;
            }
        }
    }

    /// <summary>The channel the last <c>sse-channel</c> event <see cref="ReadEventAsync"/> skipped named: the last event's, on a stream of several channels.</summary>
    public string? LastChannel { get; private set; }

    /// <summary>The id of the last <c>sse-position</c> event <see cref="ReadEventAsync"/> skipped, as a browser records it.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>The next comment line (SseArea writes each on its own), or the next block of lines ending with a blank line.</summary>
    public async Task<string> ReadBlockAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            var text = _pending.ToString();
            // Complete once its line ends (a comment) or its blank line came (a block): at least 2 characters either way.
            var length = text.StartsWith(':') ? text.IndexOf('\n', StringComparison.Ordinal) + 1 : text.IndexOf("\n\n", StringComparison.Ordinal) + 2;
            if (length >= 2)
            {
                _pending.Remove(0, length);
                return text[..length];
            }

            int read;
            try
            {
                read = await _body.ReadAsync(_bytes, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                throw new TimeoutException($"No complete event within {(timeout ?? DefaultTimeout).TotalSeconds} s; received so far: '{text}'.");
            }

            if (read == 0)
            {
                throw new EndOfStreamException($"The stream ended; received so far: '{text}'.");
            }

            var chars = _decoder.GetChars(_bytes, 0, read, _chars, 0);
            _pending.Append(_chars, 0, chars);
        }
    }

    /// <summary>Reads until the server ends the stream; returns what came before the end.</summary>
    public async Task<string> ReadToEndAsync(TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        var rest = new StringBuilder(_pending.ToString());
        int read;
        while ((read = await _body.ReadAsync(_bytes, deadline.Token)) > 0)
        {
            rest.Append(_chars, 0, _decoder.GetChars(_bytes, 0, read, _chars, 0));
        }

        return rest.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _body.DisposeAsync();
        Response.Dispose();
    }
}
