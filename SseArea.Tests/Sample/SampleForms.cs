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

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
