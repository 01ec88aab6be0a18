using System.Reflection;
using Microsoft.AspNetCore.Mvc.ApplicationParts;

namespace SseArea.Tests.Infrastructure;

/// <summary>An MVC application part of exactly the given types (a test's own controllers, not its whole assembly).</summary>
internal sealed class TypesPart(params Type[] types) : ApplicationPart, IApplicationPartTypeProvider
{
    public override string Name => string.Join(", ", types.Select(t => t.Name));

    public IEnumerable<TypeInfo> Types => types.Select(t => t.GetTypeInfo());
}
