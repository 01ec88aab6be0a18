using System.Globalization;

namespace SseArea.TestHost;

/// <summary>Publishing over HTTP, for tests of a site running as its own process.</summary>
internal static class PublishEndpoint
{
    /// <summary>
    /// <c>POST /test/publish?channel=c&amp;type=t&amp;id=i</c>: publishes the request body (any
    /// content type, read as text) as the event's data; no channel is the default channel.
    /// Answers the receiver count as text.
    /// </summary>
    public static void MapTestPublish(this IEndpointRouteBuilder app)
        => app.MapPost("/test/publish", async (HttpRequest request, ISsePublisher publisher, string? channel, string? type, string? id, CancellationToken cancellationToken) =>
        {
            using var reader = new StreamReader(request.Body);
            var data = await reader.ReadToEndAsync(cancellationToken);
            var receivers = await publisher.PublishAsync(data, type: type, id: id, channel: channel, cancellationToken: cancellationToken);
            return Results.Text(receivers.ToString(CultureInfo.InvariantCulture));
        });
}
