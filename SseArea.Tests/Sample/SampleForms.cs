using System.Net;
using System.Text.RegularExpressions;

namespace SseArea.Tests.Sample;

/// <summary>SampleSite's antiforgery-protected forms, as a browser fills them.</summary>
internal static partial class SampleForms
{
    /// <summary>The antiforgery token of the form on <paramref name="page"/> (the cookie stays in <paramref name="http"/>).</summary>
    public static async Task<string> AntiforgeryTokenAsync(HttpClient http, string page = "/")
    {
        var html = await http.GetStringAsync(page);
        var match = TokenInput().Match(html);
        Assert.That(match.Success, Is.True, $"{page} holds an antiforgery token");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Posts the home page's publish form as its script does (<c>Accept: application/json</c>); dispose the response.</summary>
    public static async Task<HttpResponseMessage> PostPublishAsync(HttpClient http, string token, string channel, string message = "from the form")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/publish")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token,
                ["Channel"] = channel,
                ["Message"] = message,
            }),
        };
        request.Headers.Accept.ParseAdd("application/json");
        return await http.SendAsync(request);
    }

    /// <summary>Posts <paramref name="form"/> to <paramref name="path"/> with the token of the form on <paramref name="tokenFrom"/>, as the page's script does; dispose the response.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, string path, Dictionary<string, string> form, string tokenFrom = "/social")
    {
        form["__RequestVerificationToken"] = await AntiforgeryTokenAsync(http, tokenFrom);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.ParseAdd("application/json");
        return await http.SendAsync(request);
    }

    /// <summary>A client of the site signed in as demo user <paramref name="user"/> (password = name) through the login form.</summary>
    public static async Task<HttpClient> SignedInAsync(Infrastructure.TestSite<Program> site, string user)
    {
        var http = site.CreateClient();
        using (await PostAsync(http, "/account/login", new() { ["UserName"] = user, ["Password"] = user }, tokenFrom: "/account/login"))
        {
        }

        return http;
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
