namespace SseArea;

/// <summary>Names of the <c>Sse</c> area, for routing and link generation.</summary>
public static class SseAreaNames
{
    /// <summary>The area name: <c>Sse</c>.</summary>
    public const string Area = "Sse";

    /// <summary>The route name of the stream action, for <c>Url.RouteUrl</c>.</summary>
    public const string StreamRouteName = "SseStream";

    /// <summary>The default route prefix of the stream endpoint (<see cref="SseOptions.RoutePrefix"/>).</summary>
    internal const string DefaultRoutePrefix = "sse/stream";
}
