using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Razor.TagHelpers;
using Microsoft.Extensions.Hosting;

namespace SseArea.TagHelpers;

/// <summary>
/// In Development only: a page whose <c>&lt;body&gt;</c> holds an <c>&lt;sse-stream&gt;</c> the tag helper did not render
/// (no <c>@addTagHelper *, SseArea</c> in its <c>_ViewImports.cshtml</c>) gets a console warning that names the fix, as
/// the element would otherwise sit inert without a word. Pages without such an element, and every page outside
/// Development, are left exactly as they are.
/// </summary>
internal sealed class SseUnrenderedElementWarning(IWebHostEnvironment environment) : TagHelperComponent
{
    internal const string Warning = "<sse-stream> was not rendered by SseArea's tag helper, so it has no stream and no script: "
        + "add @addTagHelper *, SseArea to Views/_ViewImports.cshtml (MVC) or Pages/_ViewImports.cshtml (Razor Pages).";

    /// <summary>The page being rendered (set by Razor).</summary>
    [ViewContext]
    [HtmlAttributeNotBound]
    public ViewContext ViewContext { get; set; } = null!;

    public override int Order => int.MaxValue; // after every other component of the body

    public override async Task ProcessAsync(TagHelperContext context, TagHelperOutput output)
    {
        if (!environment.IsDevelopment() || !string.Equals(context.TagName, "body", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var body = output.IsContentModified ? output.Content.GetContent() : (await output.GetChildContentAsync()).GetContent();
        if (body.Contains("<sse-stream", StringComparison.OrdinalIgnoreCase) && !ViewContext.HttpContext.Items.ContainsKey(SseStreamTagHelper.ScriptRenderedKey))
        {
            output.PostContent.AppendHtml($"<script>console.warn({System.Text.Json.JsonSerializer.Serialize(Warning)});</script>");
        }
    }
}
