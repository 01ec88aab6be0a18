using System.ComponentModel.DataAnnotations;

namespace SampleSite.Models;

/// <summary>The demo's sign-in accounts, from the configuration section <c>DemoUsers</c>. Demo only: passwords in plain text.</summary>
public sealed class DemoUsersOptions
{
    public const string SectionName = "DemoUsers";

    public List<DemoUser> Users { get; init; } = [];
}

public sealed class DemoUser
{
    public string UserName { get; init; } = "";

    public string Password { get; init; } = "";

    public List<string> Roles { get; init; } = [];
}

public sealed class LoginForm
{
    [Required, StringLength(64)]
    [Display(Name = "User name")]
    public string UserName { get; init; } = "";

    [Required, StringLength(128)]
    [DataType(DataType.Password)]
    public string Password { get; init; } = "";
}
