using System.Diagnostics;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// SampleSite as it ships: published once per run with <c>dotnet publish --no-build</c> (the build the run already
/// made) into a temp folder, deleted when the run ends. Run it with <see cref="SiteBuild.Published"/>.
/// </summary>
internal static class PublishedSampleSite
{
    private static readonly Lazy<Task<DirectoryInfo>> Output = new(PublishAsync);

    /// <summary>The folder of the published site.</summary>
    public static Task<DirectoryInfo> GetAsync() => Output.Value;

    /// <summary>The published site, to start with <see cref="TestSiteProcess.StartAsync(SiteBuild, IReadOnlyDictionary{string, string}?, int?)"/>.</summary>
    public static async Task<SiteBuild> BuildAsync() => SiteBuild.Published((await GetAsync()).FullName, "SampleSite");

    /// <summary>Deletes the published site, if the run made one.</summary>
    public static async Task DeleteAsync()
    {
        if (Output.IsValueCreated && Output.Value.IsCompletedSuccessfully)
        {
            (await Output.Value).Delete(recursive: true);
        }
    }

    private static async Task<DirectoryInfo> PublishAsync()
    {
        var output = Directory.CreateTempSubdirectory("ssearea-published-");
        var start = new ProcessStartInfo(TestSiteProcess.Dotnet())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["publish", Path.Combine(Repository.Root(), "SampleSite", "SampleSite.csproj"), "-c", SiteBuild.Configuration, "--no-build", "-o", output.FullName, "-nologo"])
        {
            start.ArgumentList.Add(argument);
        }

        // The test host's own MSBuild settings must not leak into a separate build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"dotnet publish failed:\n{await stdout}{await stderr}");
    }
}
