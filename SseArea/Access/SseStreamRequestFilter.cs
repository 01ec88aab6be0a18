using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using SseArea.Diagnostics;
using SseArea.Streaming;

namespace SseArea.Access;

/// <summary>
/// The first filter of every stream action: reads and checks the channels (400 when they are
/// invalid) and publishes the result as the <see cref="SseStreamRequest"/> feature, so that every
/// area filter after it sees the request as the stream will serve it.
/// </summary>
internal sealed class SseStreamRequestFilter(IOptions<SseOptions> options, ILogger<SseStreamRequestFilter> logger) : IAsyncResourceFilter
{
    private const string ChannelParameter = "channel";

    private readonly SseOptions _options = options.Value;

    public Task OnResourceExecutionAsync(ResourceExecutingContext context, ResourceExecutionDelegate next)
    {
        var http = context.HttpContext;
        if (Read(http.Request, out var error) is not { } request)
        {
            SseLog.BadRequest(logger, error!);
            context.Result = SseProblem.Create(http, StatusCodes.Status400BadRequest, "Invalid stream request", error!);
            return Task.CompletedTask;
        }

        http.Features.Set(request);
        return next();
    }

    /// <summary>
    /// The channels asked for by repeated <c>channel</c> query values, in order, without duplicates
    /// (empty values are ignored; none left means the default channel), and the Last-Event-ID.
    /// </summary>
    internal SseStreamRequest? Read(HttpRequest request, out string? error)
    {
        var values = request.Query[ChannelParameter];
        var channels = new List<string>(Math.Max(1, values.Count));
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value) || channels.Contains(value, StringComparer.Ordinal))
            {
                continue;
            }

            if (channels.Count == _options.MaxChannelsPerConnection)
            {
                error = $"A stream may follow at most {_options.MaxChannelsPerConnection} channels (Sse:MaxChannelsPerConnection); this request asks for more.";
                return null;
            }

            if (SseChannelName.Check(value, _options.MaxChannelNameLength) is { } reason)
            {
                error = $"Invalid channel '{SseChannelName.Display(value)}': {reason}";
                return null;
            }

            channels.Add(value);
        }

        if (channels.Count == 0)
        {
            channels.Add(_options.DefaultChannel);
        }

        var lastEventId = SseLastEventId.Read(request, out error);
        return error is null ? new SseStreamRequest(channels, lastEventId) : null;
    }
}
