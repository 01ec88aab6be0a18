using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SseArea;
using SseArea.Access;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Access control for the <c>Sse</c> area: Flask-SSE's <c>@sse.before_request</c>, the .NET way.</summary>
public static class SseBuilderExtensions
{
    /// <summary>
    /// Adds an <see cref="IAsyncActionFilter"/> (or any MVC filter) to every action of the <c>Sse</c>
    /// area. It is resolved from DI for each request (registered as scoped here unless already
    /// registered) and runs before the stream starts; an action filter reads the requested channels
    /// with <c>HttpContext.GetSseStreamRequest()</c> and refuses by setting
    /// <c>context.Result = new SseChannelRefusedResult(channel)</c>. Authorization filters and
    /// resource filters run before the request is parsed and see no <see cref="SseStreamRequest"/>.
    /// </summary>
    /// <typeparam name="TFilter">The filter type.</typeparam>
    /// <param name="builder">The builder <c>AddSse</c> returned.</param>
    /// <returns>The builder.</returns>
    public static ISseBuilder AddAreaFilter<TFilter>(this ISseBuilder builder)
        where TFilter : class, IFilterMetadata
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<TFilter>();
        builder.Services.Configure<SseOptions>(options => options.Filters.AddService<TFilter>());
        return builder;
    }

    /// <summary>
    /// Adds a one-line access rule to every stream request of the <c>Sse</c> area: when
    /// <paramref name="allow"/> answers <see langword="false"/>, the request is refused with 403.
    /// </summary>
    /// <param name="builder">The builder <c>AddSse</c> returned.</param>
    /// <param name="allow">Decides from the parsed request and the HTTP context (its user, its services).</param>
    /// <returns>The builder.</returns>
    public static ISseBuilder AddAreaFilter(this ISseBuilder builder, Func<SseStreamRequest, HttpContext, ValueTask<bool>> allow)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(allow);
        var filter = new SseDelegateFilter(allow);
        builder.Services.Configure<SseOptions>(options => options.Filters.Add(filter));
        return builder;
    }

    /// <summary>
    /// Restricts the channels matching <paramref name="channel"/> (an exact name, or a prefix rule
    /// ending in <c>*</c>) to signed-in users in one of <paramref name="roles"/> and/or satisfying
    /// <paramref name="policy"/>; see <see cref="SseChannelAccessAttribute"/>.
    /// </summary>
    /// <param name="builder">The builder <c>AddSse</c> returned.</param>
    /// <param name="channel">The channel rule, e.g. <c>analytics</c> or <c>admin.*</c>.</param>
    /// <param name="roles">Comma-separated roles, any one of which admits; <see langword="null"/> for none required.</param>
    /// <param name="policy">An authorization policy name; <see langword="null"/> for none.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a valid rule.</exception>
    public static ISseBuilder AddChannelAccess(this ISseBuilder builder, string channel, string? roles = null, string? policy = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var rule = new SseChannelAccessAttribute(channel) { Roles = roles, Policy = policy };
        builder.Services.Configure<SseOptions>(options => options.Filters.Add(rule));
        return builder;
    }
}
