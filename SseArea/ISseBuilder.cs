using Microsoft.Extensions.DependencyInjection;

namespace SseArea;

/// <summary>Returned by <c>AddSse</c>; further SseArea registrations chain from it.</summary>
public interface ISseBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}
