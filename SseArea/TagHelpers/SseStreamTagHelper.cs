using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.AspNetCore.Routing;

namespace SseArea.TagHelpers;

/// <summary>
/// Renders <c>&lt;sse-stream channel="users.social"&gt;&lt;/sse-stream&gt;</c> as the custom element of
/// <c>/_content/SseArea/sse-stream.js</c>, its <c>src</c> the stream URL of the channels, and adds that script to the
/// page once. Enable it in <c>_ViewImports.cshtml</c> with <c>@addTagHelper *, SseArea</c>. Public because Razor
/// activates tag helpers that way; use it in markup, not from code.
/// </summary>
/// <remarks>
/// In the browser the element opens one <c>EventSource</c> on <c>src</c> and re-dispatches each event on itself as a
/// <c>CustomEvent</c> named after the event type (<c>message</c> when untyped) whose <c>detail</c> is
/// <c>{ data, lastEventId }</c> (<c>data</c> parsed when it is a JSON object or array). It keeps a <c>state</c> attribute
/// (<c>connecting</c>, <c>open</c>, <c>closed</c>) and closes the connection when it leaves the document. Other
/// attributes (<c>id</c>, <c>class</c>, ...) are rendered as written.
/// </remarks>
[HtmlTargetElement(ElementName)]
public sealed class SseStreamTagHelper : TagHelper
{
    /// <summary>The element name, the same in Razor and in the DOM.</summary>
    internal const string ElementName = "sse-stream";

    /// <summary>The script that defines the element, under the application's path base.</summary>
    internal const string ScriptPath = "/_content/SseArea/sse-stream.js";

    // Marks the request whose page already has the script.
    internal static readonly object ScriptRenderedKey = new();

    private readonly LinkGenerator _links;
    private readonly IFileVersionProvider _fileVersions;

    /// <summary>Created by Razor with the application's services.</summary>
    /// <param name="links">Generates the stream URL from the stream action's route.</param>
    /// <param name="fileVersions">Appends the script's content hash, as <c>asp-append-version</c> does.</param>
    public SseStreamTagHelper(LinkGenerator links, IFileVersionProvider fileVersions)
    {
        ArgumentNullException.ThrowIfNull(links);
        ArgumentNullException.ThrowIfNull(fileVersions);
        _links = links;
        _fileVersions = fileVersions;
    }

    /// <summary>The channel to follow. Any name works here, commas included.</summary>
    [HtmlAttributeName("channel")]
    public string? Channel { get; set; }

    /// <summary>
    /// Several channels, separated by commas (<c>channels="news,users.social"</c>; blanks around names ignored).
    /// Combines with <see cref="Channel"/>. Neither set: the default channel.
    /// </summary>
    [HtmlAttributeName("channels")]
    public string? Channels { get; set; }

    /// <summary>
    /// The event types to re-dispatch besides untyped <c>message</c>, separated by commas (<c>events="greeting,status"</c>):
    /// an <c>EventSource</c> only hears the types it asked for.
    /// </summary>
    [HtmlAttributeName("events")]
    public string? Events { get; set; }

    /// <summary>
    /// A CSS selector (<c>target="#feed"</c>): each event's data is appended to that element as one line of text
    /// (<c>li</c> in a list, <c>div</c> elsewhere), never as HTML.
    /// </summary>
    [HtmlAttributeName("target")]
    public string? Target { get; set; }

    /// <summary>
    /// The id of the last event the page already shows, sent as the <c>lastEventId</c> query value so the server can
    /// replay what came after it (reconnects send the <c>Last-Event-ID</c> header as usual).
    /// </summary>
    [HtmlAttributeName("last-event-id")]
    public string? LastEventId { get; set; }

    /// <summary>Opens the <c>EventSource</c> with <c>withCredentials</c> (cookies on a cross-origin stream).</summary>
    [HtmlAttributeName("with-credentials")]
    public bool WithCredentials { get; set; }

    /// <summary>The view being rendered; set by Razor.</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    /// <inheritdoc />
    public override void Process(TagHelperContext context, TagHelperOutput output)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(output);

        var http = ViewContext.HttpContext;
        output.TagName = ElementName;
        output.TagMode = TagMode.StartTagAndEndTag; // A custom element can't be self-closed in HTML.
        output.Attributes.SetAttribute("src", StreamUrl(http));
        SetOrRemove(output, "events", Normalize(Events));
        SetOrRemove(output, "target", string.IsNullOrWhiteSpace(Target) ? null : Target.Trim());
        if (WithCredentials)
        {
            output.Attributes.SetAttribute(new TagHelperAttribute("with-credentials"));
        }
        else
        {
            output.Attributes.RemoveAll("with-credentials");
        }

        if (!http.Items.ContainsKey(ScriptRenderedKey))
        {
            http.Items[ScriptRenderedKey] = true;
            var script = _fileVersions.AddFileVersionToPath(http.Request.PathBase, http.Request.PathBase.Add(ScriptPath).Value!);
            var tag = new TagBuilder("script");
            tag.Attributes["type"] = "module";
            tag.Attributes["src"] = script;
            output.PostElement.AppendHtml(tag);
        }
    }

    /// <summary>The stream URL: route name, area and prefix from routing, the channels as repeated query values.</summary>
    private string StreamUrl(HttpContext http)
    {
        var channels = (string.IsNullOrEmpty(Channel) ? Split(Channels) : [Channel, .. Split(Channels)]).Distinct(StringComparer.Ordinal).ToArray();
        var values = new RouteValueDictionary { ["area"] = SseAreaNames.Area };
        if (channels.Length > 0)
        {
            values["channel"] = channels;
        }

        if (!string.IsNullOrEmpty(LastEventId))
        {
            values["lastEventId"] = LastEventId;
        }

        return _links.GetPathByRouteValues(http, SseAreaNames.StreamRouteName, values)
            ?? throw new InvalidOperationException(
                $"<{ElementName}> found no route named '{SseAreaNames.StreamRouteName}': call services.AddSse() and app.MapSse().");
    }

    private static string? Normalize(string? list)
    {
        var items = Split(list).Distinct(StringComparer.Ordinal).ToArray();
        return items.Length == 0 ? null : string.Join(',', items);
    }

    private static string[] Split(string? list)
        => (list ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static void SetOrRemove(TagHelperOutput output, string name, string? value)
    {
        if (value is null)
        {
            output.Attributes.RemoveAll(name);
        }
        else
        {
            output.Attributes.SetAttribute(name, value);
        }
    }
}
