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
/// On the endpoint <see cref="SseStreamEndpointPolicy"/> runs, in place of the stream action's authorization metadata:
/// a policy every request meets, so the authorization middleware never challenges or forbids a stream request (a cookie
/// scheme would answer 302 to a login page, which an EventSource can not follow). <c>SseAccessFilter</c> evaluates the
/// <see cref="Original"/> endpoint's authorization and answers 403 with a problem body. Nothing tells the application's
/// own code that the stream allows anonymous access.
/// </summary>
internal sealed class SseDeferredAuthorization(EndpointMetadataCollection original)
{
    public static readonly AuthorizationPolicy Policy = new AuthorizationPolicyBuilder().RequireAssertion(_ => true).Build();

    public EndpointMetadataCollection Original { get; } = original;
}

/// <summary>
/// Runs a stream after MVC is done with its request, inside the application's pipeline: this policy swaps in (once
/// per endpoint) a copy of the stream action's endpoint whose delegate runs MVC's (the response starts) and then pumps
/// the stream the result left in <see cref="SseStreamSlot"/>. MVC's invoker and controller are released while the
/// stream goes on, and every middleware (a concurrency limiter, request logging, tracing) sees the request from its
/// first to its last byte. Same route pattern, order and metadata, but its authorization is <see cref="SseDeferredAuthorization"/>.
/// </summary>
internal sealed class SseStreamEndpointPolicy : MatcherPolicy, IEndpointSelectorPolicy
{
    private readonly ConditionalWeakTable<Endpoint, Endpoint> _wrapped = [];

    // After the policies that choose between candidates (HTTP method, host, ...): only the chosen endpoint is wrapped.
    public override int Order => 1_000_000;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => endpoints.Any(IsStream);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
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

    internal static Endpoint Wrap(Endpoint endpoint)
    {
        var route = (RouteEndpoint)endpoint;
        var mvc = route.RequestDelegate!;
        var kept = route.Metadata.Where(item => item is not (IAuthorizeData or AuthorizationPolicy or IAuthorizationRequirementData));
        var metadata = new EndpointMetadataCollection([.. kept, SseDeferredAuthorization.Policy, new SseDeferredAuthorization(route.Metadata)]);
        return new RouteEndpoint(context => RunAsync(context, mvc), route.RoutePattern, route.Order, metadata, route.DisplayName);
    }

    private static async Task RunAsync(HttpContext context, RequestDelegate mvc)
    {
        if (await RunMvcAsync(context, mvc) is { } stream)
        {
            // Awaited here, in this frame: MVC's are gone, and an idle stream keeps only this one and the pump's.
            await stream.EndAsync(context, await stream.PumpAsync(context));
        }
    }

    /// <summary>Runs MVC's request delegate; answers the stream its result parked, if it started one.</summary>
    private static async Task<SseStreamResult?> RunMvcAsync(HttpContext context, RequestDelegate mvc)
    {
        var slot = new SseStreamSlot();
        context.Features.Set(slot);
        try
        {
            await mvc(context);
        }
        catch
        {
            await slot.AbandonAsync(context);
            throw;
        }

        context.Features.Set<SseStreamSlot>(null);
        var stream = slot.Take();
        if (stream is null)
        {
            await slot.AbandonAsync(context);
        }

        return stream;
    }
}

/// <summary>
/// Where <see cref="SseStreamResult"/> leaves a started stream for <see cref="SseStreamEndpointPolicy"/>'s endpoint to
/// pump, and where the handler leaves its subscription until then, so that one whose result never ran still ends.
/// </summary>
internal sealed class SseStreamSlot
{
    private SseStreamResult? _stream;
    private IAsyncDisposable? _subscription;

    public void Hold(IAsyncDisposable subscription) => _subscription = subscription;

    public void Park(SseStreamResult stream)
    {
        if (Interlocked.CompareExchange(ref _stream, stream, null) is not null)
        {
            throw new InvalidOperationException("A stream was already started on this request; one request carries one stream.");
        }
    }

    /// <summary>The parked stream, which owns the held subscription from now on.</summary>
    public SseStreamResult? Take()
    {
        var stream = Interlocked.Exchange(ref _stream, null);
        if (stream is not null)
        {
            _subscription = null;
        }

        return stream;
    }

    /// <summary>Ends whatever MVC left without a pump: a parked stream (the request failed after it), or a held subscription.</summary>
    public async Task AbandonAsync(HttpContext context)
    {
        if (Take() is { } stream)
        {
            await stream.EndAsync(context, failure: null);
        }
        else if (Interlocked.Exchange(ref _subscription, null) is { } subscription)
        {
            await subscription.DisposeAsync();
        }
    }
}
