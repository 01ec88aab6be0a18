namespace SseArea;

/// <summary>
/// What a stream action does to its target element: Turbo Streams' seven actions, applied by <c>&lt;sse-stream actions&gt;</c>,
/// by Turbo's <c>&lt;turbo-stream-source&gt;</c> and by any page that runs Turbo.
/// </summary>
public enum SseStreamAction
{
    /// <summary>Adds the HTML after the target's last child (an element of the HTML whose id a child already has replaces that child).</summary>
    Append,

    /// <summary>Adds the HTML before the target's first child (an element of the HTML whose id a child already has replaces that child).</summary>
    Prepend,

    /// <summary>Replaces the target element itself with the HTML.</summary>
    Replace,

    /// <summary>Replaces the target's children with the HTML.</summary>
    Update,

    /// <summary>Removes the target element; carries no HTML.</summary>
    Remove,

    /// <summary>Inserts the HTML before the target element, as its sibling.</summary>
    Before,

    /// <summary>Inserts the HTML after the target element, as its sibling.</summary>
    After,
}
