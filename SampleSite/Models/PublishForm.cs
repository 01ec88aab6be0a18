using System.ComponentModel.DataAnnotations;

namespace SampleSite.Models;

/// <summary>The home page's "publish to a channel" form.</summary>
public sealed class PublishForm
{
    /// <summary>The channels anyone may publish to, besides the default one (analytics: admins only).</summary>
    public static readonly string[] OpenChannels = ["news", "alerts"];

    [StringLength(256)]
    public string? Channel { get; set; }

    /// <summary>
    /// The event types the live feed listens for (besides the untyped <c>message</c>): an
    /// EventSource only hears the types it registered, so the form offers these alone.
    /// </summary>
    public static readonly string[] FeedEventTypes = ["greeting", "status", "alert"];

    [RegularExpression("^(greeting|status|alert)$", ErrorMessage = "Choose one of the event types the feed listens for.")]
    public string? Type { get; set; }

    [Required]
    [StringLength(4000)]
    public string Message { get; set; } = string.Empty;
}
