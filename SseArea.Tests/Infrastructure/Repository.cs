namespace SseArea.Tests.Infrastructure;

/// <summary>Where the repository's files are, seen from the test run.</summary>
internal static class Repository
{
    /// <summary>The folder holding <c>SseArea.sln</c>, above the test assembly's folder.</summary>
    public static string Root()
    {
        for (var directory = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SseArea.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("SseArea.sln not found above the test directory.");
    }
}
