using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace SseArea.Internal.Http;

/// <summary>Problem-details answers of the <c>Sse</c> area, made by the app's <see cref="ProblemDetailsFactory"/>.</summary>
internal static class SseProblem
{
    public static ObjectResult Create(HttpContext http, int status, string title, string detail, Action<ProblemDetails>? extend = null)
    {
        var problem = http.RequestServices.GetRequiredService<ProblemDetailsFactory>()
            .CreateProblemDetails(http, status, title, detail: detail);
        extend?.Invoke(problem);
        return new ObjectResult(problem)
        {
            StatusCode = status,
            ContentTypes = { "application/problem+json" },
        };
    }
}
