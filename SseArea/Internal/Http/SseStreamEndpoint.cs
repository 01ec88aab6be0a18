using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace SseArea.Internal.Http;

/// <summary>Marks the stream action's endpoint (on <c>StreamController</c>, inherited by an application's own subclass).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
internal sealed class SseStreamEndpointAttribute : Attribute;

/// <summary>
/// In the metadata of the endpoint <see cref="SseStreamEndpointPolicy"/> runs (not on the controller, where
/// the compiler would warn that it overrides an application's <c>[Authorize]</c>): the authorization middleware
/// then authenticates but never challenges or forbids a stream request itself (a cookie scheme would answer 302
/// to its login page, which an EventSource can not follow). The area evaluates the endpoint's authorization
/// itself and answers 403 with a problem body (see <c>SseAccessFilter</c>). Where the endpoint is not swapped
/// in, the middleware enforces it as usual.
/// </summary>
internal sealed class SseAuthorizesItself : IAllowAnonymous
{
    public static readonly SseAuthorizesItself Instance = new();
}

/// <summary>
/// Runs a stream after MVC is done with its request, inside the application's pipeline. Routing picks the
/// stream action's endpoint; this policy swaps in (once per endpoint) a copy whose request delegate runs
/// MVC's (filters, action, result: the response starts, the preamble goes out) and then pumps the stream
/// the result left in <see cref="SseStreamSlot"/>. So MVC's invoker, filter contexts and controller are
/// released while the stream goes on, and every middleware of the application (a concurrency limiter,
/// request logging, tracing) still sees the request from its first to its last byte. Same route pattern,
/// order and metadata (plus <see cref="SseAuthorizesItself"/>): rate limiting and CORS see the endpoint they would have seen.
/// </summary>
internal sealed class SseStreamEndpointPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    private readonly ConditionalWeakTable<Endpoint, Endpoint> _wrapped = [];

    // After the policies that choose between candidates (HTTP method, host, ...): only the chosen endpoint is wrapped.
    public override int Order => 1_000_000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.Any(IsStream);
    }

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && candidates[i].Endpoint is RouteEndpoint { RequestDelegate: not null } endpoint && IsStream(endpoint))
            {
                candidates.ReplaceEndpoint(i, _wrapped.GetValue(endpoint, Wrap), candidates[i].Values);
            }
        }

        return Task.CompletedTask;
    }

    private static bool IsStream(Endpoint endpoint) => endpoint.Metadata.GetMetadata<SseStreamEndpointAttribute>() is not null;

    private static Endpoint Wrap(Endpoint endpoint)
    {
        var route = (RouteEndpoint)endpoint;
        var mvc = route.RequestDelegate!;
        var metadata = new EndpointMetadataCollection([.. route.Metadata, SseAuthorizesItself.Instance]);
        return new RouteEndpoint(context => RunAsync(context, mvc), route.RoutePattern, route.Order, metadata, route.DisplayName);
    }

    private static async Task RunAsync(HttpContext context, RequestDelegate mvc)
    {
        var slot = new SseStreamSlot();
        context.Features.Set(slot);
        try
        {
            await mvc(context);
        }
        catch
        {
            if (slot.Take() is { } abandoned)
            {
                await abandoned.AbandonAsync(context);
            }

            throw;
        }

        context.Features.Set<SseStreamSlot>(null);
        if (slot.Take() is { } stream)
        {
            // Awaited here, in this frame: MVC's are gone, and an idle stream keeps only this one and the pump's.
            await stream.EndAsync(context, await stream.PumpAsync(context));
        }
    }
}

/// <summary>Where <see cref="SseStreamResult"/> leaves a started stream for <see cref="SseStreamEndpointPolicy"/>'s endpoint to pump.</summary>
internal sealed class SseStreamSlot
{
    private SseStreamResult? _stream;

    public void Park(SseStreamResult stream)
    {
        if (Interlocked.CompareExchange(ref _stream, stream, null) is not null)
        {
            throw new InvalidOperationException("A stream was already started on this request; one request carries one stream.");
        }
    }

    public SseStreamResult? Take() => Interlocked.Exchange(ref _stream, null);
}
