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
        var (exitCode, log) = await DotnetCli.RunAsync(
            Repository.Root(), "publish", Path.Combine(Repository.Root(), "SampleSite", "SampleSite.csproj"), "-c", SiteBuild.Configuration, "--no-build", "-o", output.FullName, "-nologo");
        return exitCode == 0 ? output : throw new InvalidOperationException($"dotnet publish failed:\n{log}");
    }
}
