namespace SseArea.Internal.Access;

/// <summary>What the application registered for the <c>Sse</c> area: channel rules and area filters, in registration order.</summary>
internal sealed class SseAccessOptions
{
    /// <summary>Rules from <c>AddChannelAccess</c>, added to every stream action.</summary>
    public List<SseChannelAccessAttribute> Rules { get; } = [];

    /// <summary>Filter types from <c>AddAreaFilter&lt;T&gt;</c>, resolved from DI for each request.</summary>
    public List<Type> AreaFilters { get; } = [];
}
