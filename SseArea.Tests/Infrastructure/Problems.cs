using System.Net;
using System.Text.Json;

namespace SseArea.Tests.Infrastructure;

/// <summary>Checks of the problem details (RFC 9457) bodies the stream endpoint refuses with.</summary>
internal static class Problems
{
    /// <summary>Asserts <paramref name="response"/> is an <c>application/problem+json</c> body of <paramref name="status"/> whose detail holds <paramref name="detailContains"/>.</summary>
    public static async Task AssertAsync(HttpResponseMessage response, HttpStatusCode status, string detailContains)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        using var problem = JsonDocument.Parse(body);
        Assert.Multiple(() =>
        {
            Assert.That(problem.RootElement.GetProperty("status").GetInt32(), Is.EqualTo((int)status));
            Assert.That(problem.RootElement.GetProperty("detail").GetString(), Does.Contain(detailContains));
        });
    }
}
