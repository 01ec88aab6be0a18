using System.ComponentModel.DataAnnotations;

namespace SampleSite.Models;

/// <summary>The social page's "post a status" form.</summary>
public sealed class StatusForm
{
    [Required]
    [StringLength(40)]
    public string Name { get; set; } = string.Empty;

    [Required]
    [StringLength(280)]
    public string Status { get; set; } = string.Empty;
}
