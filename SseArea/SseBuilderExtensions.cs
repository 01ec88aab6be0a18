using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SseArea;
using SseArea.Internal.Access;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Access control for the <c>Sse</c> area: Flask-SSE's <c>@sse.before_request</c>, the ASP.NET Core way.</summary>
public static class SseBuilderExtensions
{
    /// <summary>
    /// Adds a filter of yours (an <see cref="IAsyncActionFilter"/>, or any MVC filter) to every action of the <c>Sse</c>
    /// area. Resolved from DI per request (registered as scoped unless it is), it runs after the channel rules passed,
    /// before the stream starts; it reads the channels with <c>HttpContext.GetSseStreamRequest()</c> and refuses with
    /// <c>context.Result = new SseChannelRefusedResult(channel, reason)</c>.
    /// </summary>
    /// <typeparam name="TFilter">The filter type.</typeparam>
    /// <param name="builder">The builder <c>AddSse</c> returned.</param>
    /// <returns>The builder.</returns>
    public static ISseBuilder AddAreaFilter<TFilter>(this ISseBuilder builder)
        where TFilter : class, IFilterMetadata
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<TFilter>();
        builder.Services.Configure<SseAccessOptions>(options => options.AreaFilters.Add(typeof(TFilter)));
        return builder;
    }

    /// <summary>
    /// Restricts the channels matching <paramref name="channel"/> (an exact name, or a prefix rule ending in
    /// <c>*</c>) as <c>[Authorize]</c> with the same roles, policy and schemes would: see <see cref="SseChannelAccessAttribute"/>.
    /// </summary>
    /// <param name="builder">The builder <c>AddSse</c> returned.</param>
    /// <param name="channel">The channel rule, e.g. <c>analytics</c> or <c>admin.*</c>.</param>
    /// <param name="roles">Comma-separated roles, any one of which admits; <see langword="null"/> for none required.</param>
    /// <param name="policy">An authorization policy name; <see langword="null"/> for none.</param>
    /// <param name="authenticationSchemes">Comma-separated authentication schemes to authenticate with; <see langword="null"/> for the default.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="channel"/> is not a valid rule, or <paramref name="roles"/> names no role.</exception>
    public static ISseBuilder AddChannelAccess(this ISseBuilder builder, string channel, string? roles = null, string? policy = null, string? authenticationSchemes = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var rule = new SseChannelAccessAttribute(channel) { Roles = roles, Policy = policy, AuthenticationSchemes = authenticationSchemes };
        builder.Services.Configure<SseAccessOptions>(options => options.Rules.Add(rule));
        return builder;
    }
}
