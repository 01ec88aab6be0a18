using StackExchange.Redis;

namespace SseArea.LoadTool;

/// <summary>
/// How the tool publishes its events to a target: a Redis <c>PUBLISH</c> of the Flask-SSE payload (SampleSite, the
/// baseline), or an HTTP <c>POST</c> of the data to nchan's publisher location.
/// </summary>
internal interface IBenchPublisher : IDisposable
{
    /// <summary>Publishes event <paramref name="sequence"/> stamped with <paramref name="timestamp"/>.</summary>
    Task PublishAsync(long sequence, long timestamp);
}

/// <summary>The two ways to publish.</summary>
internal static class BenchPublisher
{
    public static IBenchPublisher Redis(IConnectionMultiplexer redis, string channel, int padding) => new RedisPublisher(redis.GetSubscriber(), RedisChannel.Literal(channel), padding);

    public static IBenchPublisher Http(Uri publishUrl, int padding) => new HttpPublisher(publishUrl, padding);

    private sealed class RedisPublisher(ISubscriber subscriber, RedisChannel channel, int padding) : IBenchPublisher
    {
        public Task PublishAsync(long sequence, long timestamp) => subscriber.PublishAsync(channel, BenchPayload.Create(sequence, timestamp, padding));

        public void Dispose()
        {
            // the tool's Redis connection is the tool's to close
        }
    }

    private sealed class HttpPublisher(Uri publishUrl, int padding) : IBenchPublisher
    {
        // Bursts send many publishes at once: a pool of connections, as a Redis client pipelines. nchan answers a
        // burst's publishes while it delivers them (26 s for 200 events to 10 000 subscribers here), so a publish may
        // wait that long: 5 minutes, not 30 s, and --max-seconds still bounds the command.
        private readonly HttpClient _http = new(new SocketsHttpHandler { MaxConnectionsPerServer = 32 }) { Timeout = TimeSpan.FromMinutes(5) };

        public async Task PublishAsync(long sequence, long timestamp)
        {
            using var content = new StringContent(BenchPayload.CreateData(sequence, timestamp, padding));
            using var response = await _http.PostAsync(publishUrl, content);
            if (!response.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"POST {publishUrl} answered {(int)response.StatusCode}.");
            }
        }

        public void Dispose() => _http.Dispose();
    }
}
