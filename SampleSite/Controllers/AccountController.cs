using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using SampleSite.Models;
using SseArea;

namespace SampleSite.Controllers;

/// <summary>Cookie sign-in against the demo users of configuration (<c>DemoUsers</c>).</summary>
[Route("account")]
public sealed class AccountController(IOptionsMonitor<DemoUsersOptions> users) : Controller
{
    [HttpGet("login")]
    public IActionResult Login(string? returnUrl)
    {
        ViewData["ReturnUrl"] = returnUrl;
        return View(new LoginForm());
    }

    [HttpPost("login")]
    [ValidateAntiForgeryToken]
    public async Task<IActionResult> Login(LoginForm form, string? returnUrl)
    {
        ViewData["ReturnUrl"] = returnUrl;
        if (!ModelState.IsValid)
        {
            return View(form);
        }

        var user = users.CurrentValue.Users.Find(u => string.Equals(u.UserName, form.UserName, StringComparison.OrdinalIgnoreCase));
        if (user is null || !PasswordMatches(user.Password, form.Password))
        {
            ModelState.AddModelError(string.Empty, "Unknown user name or wrong password.");
            return View(form);
        }

        Claim[] claims = [new(ClaimTypes.Name, user.UserName), .. user.Roles.Select(role => new Claim(ClaimTypes.Role, role))];
        var identity = new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme);
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
        return Url.IsLocalUrl(returnUrl) ? LocalRedirect(returnUrl) : Redirect("/");
    }

    [HttpPost("logout")]
    [ValidateAntiForgeryToken]
    public async Task<IActionResult> Logout([FromServices] ISseStreams streams)
    {
        // The user's open streams end now (the browser reconnects, and the reconnect is checked again: 403 for
        // admin-only channels); otherwise they would run on until Sse:AccessRecheckInterval.
        var name = User.Identity?.Name;
        if (name is not null)
        {
            streams.EndStreams(user => user.Identity?.Name == name);
        }

        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return Redirect("/");
    }

    [HttpGet("denied")]
    public IActionResult Denied() => View();

    private static bool PasswordMatches(string expected, string given)
        => CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(expected)), SHA256.HashData(Encoding.UTF8.GetBytes(given)));
}
