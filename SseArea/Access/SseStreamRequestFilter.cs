using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Unicode;
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
        error = CheckEncoding(request.QueryString.Value);
        if (error is not null)
        {
            return null;
        }

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

    /// <summary>
    /// Why a <c>channel</c> or <c>lastEventId</c> value of the raw query string is not UTF-8 text once
    /// percent-decoded (<c>%FF</c>, <c>%C3%28</c>, the overlong <c>%C0%AF</c>, the surrogate <c>%ED%A0%80</c>),
    /// or <see langword="null"/>. ASP.NET Core's query parser leaves such a sequence undecoded, so without this
    /// check <c>?channel=%FF</c> would follow the channel named <c>%FF</c>, the same channel as
    /// <c>?channel=%25FF</c>.
    /// </summary>
    internal static string? CheckEncoding(string? rawQuery)
    {
        if (string.IsNullOrEmpty(rawQuery))
        {
            return null;
        }

        var query = rawQuery.AsSpan(rawQuery[0] == '?' ? 1 : 0);
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            if (equals < 0)
            {
                continue;
            }

            // A name percent-encoded itself (ch%61nnel) is decoded before it is compared.
            var name = pair[..equals];
            if (!IsOurs(name) && (name.IndexOf('%') < 0 || !IsOurs(Encoding.UTF8.GetString(Decode(name)))))
            {
                continue;
            }

            var value = Decode(pair[(equals + 1)..]);
            if (!Utf8.IsValid(value))
            {
                var at = 0;
                while (Rune.DecodeFromUtf8(value.AsSpan(at), out _, out var used) == OperationStatus.Done)
                {
                    at += used;
                }

                return $"The query value '{SseChannelName.Display(pair.ToString())}' is not UTF-8 text once percent-decoded: byte {at} (0x{value[at]:X2}) does not start a valid UTF-8 sequence.";
            }
        }

        return null;

        static bool IsOurs(ReadOnlySpan<char> name)
            => name.Equals(ChannelParameter, StringComparison.OrdinalIgnoreCase) || name.Equals(SseLastEventId.QueryName, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The bytes of a percent-encoded query component (<c>+</c> is a space, a malformed escape stays as it is).</summary>
    private static byte[] Decode(ReadOnlySpan<char> text)
    {
        var encoded = Encoding.UTF8.GetBytes(text.ToString());
        return WebUtility.UrlDecodeToBytes(encoded, 0, encoded.Length) ?? [];
    }
}
