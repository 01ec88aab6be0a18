using System.ComponentModel.DataAnnotations;

namespace SampleSite.Models;

/// <summary>The home page's "publish to a channel" form.</summary>
public sealed class PublishForm
{
    [StringLength(256)]
    public string? Channel { get; set; }

    [StringLength(64)]
    [RegularExpression(@"^[^\r\n]*$", ErrorMessage = "The event type must be on one line.")]
    public string? Type { get; set; }

    [Required]
    [StringLength(4000)]
    public string Message { get; set; } = string.Empty;
}
