using System.Net;

namespace SseArea.Internal.Views;

/// <summary>
/// The event text of a stream action, in Turbo Streams' form:
/// <c>&lt;turbo-stream action="append" target="id"&gt;&lt;template&gt;HTML&lt;/template&gt;&lt;/turbo-stream&gt;</c>,
/// or <c>targets="selector"</c> for every match; a removal carries no template, as Turbo's own helpers write it.
/// </summary>
internal static class TurboStreamText
{
    /// <summary>The text of an action on the element whose id is <paramref name="target"/>.</summary>
    public static string ForTarget(SseStreamAction action, string target, string? html)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        if (target.AsSpan().IndexOfAny(" \t\n\f\r") >= 0)
        {
            throw new ArgumentException($"'{target}' is not an element id: an id holds no white space (for a CSS selector, publish to targets).", nameof(target));
        }

        return Format(action, "target", target, html);
    }

    /// <summary>The text of an action on every element that matches the CSS selector <paramref name="targets"/>.</summary>
    public static string ForTargets(SseStreamAction action, string targets, string? html)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(targets);
        return Format(action, "targets", targets, html);
    }

    /// <summary>The action's name on the wire.</summary>
    public static string Name(SseStreamAction action) => action switch
    {
        SseStreamAction.Append => "append",
        SseStreamAction.Prepend => "prepend",
        SseStreamAction.Replace => "replace",
        SseStreamAction.Update => "update",
        SseStreamAction.Remove => "remove",
        SseStreamAction.Before => "before",
        SseStreamAction.After => "after",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, "Not a stream action."),
    };

    private static string Format(SseStreamAction action, string attribute, string value, string? html)
    {
        var name = Name(action);
        var opening = $"<turbo-stream action=\"{name}\" {attribute}=\"{WebUtility.HtmlEncode(value)}\">";
        if (action == SseStreamAction.Remove)
        {
            return html is null
                ? opening + "</turbo-stream>"
                : throw new ArgumentException("A remove action carries no HTML: pass null.", nameof(html));
        }

        return html is null
            ? throw new ArgumentNullException(nameof(html), $"An {name} action needs HTML to insert (an empty string is allowed).")
            : $"{opening}<template>{html}</template></turbo-stream>";
    }
}
