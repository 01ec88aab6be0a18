namespace SseArea.Tests.Infrastructure;

/// <summary>Programs the tests start themselves (<c>redis-server</c>, <c>redis-cli</c>), found in one place.</summary>
internal static class LocalTools
{
    /// <summary>The full path of <paramref name="name"/> on PATH (or in /usr/bin, /usr/sbin), or <see langword="null"/>.</summary>
    public static string? Find(string name)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Append("/usr/bin").Append("/usr/sbin")
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>
    /// Ends the test when something it needs is missing: a failure under CI (<c>CI=true</c>), where
    /// everything must run, a skip elsewhere.
    /// </summary>
    public static void Unavailable(string why)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Assert.Fail(why);
        }

        Assert.Ignore(why);
    }
}
