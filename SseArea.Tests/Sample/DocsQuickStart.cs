namespace SseArea.Tests.Sample;

/// <summary>The edits docs/packaging.md tells a new user to make to a fresh <c>dotnet new mvc</c> or <c>webapp</c> site, made to the letter.</summary>
internal static class DocsQuickStart
{
    /// <summary>Applies the steps of docs/packaging.md ("Try it in a new site") to the site in <paramref name="site"/>.</summary>
    public static void Apply(string site, string template)
    {
        var mvc = template == "mvc";
        var program = Path.Combine(site, "Program.cs");
        var code = File.ReadAllText(program);
        var services = mvc ? "builder.Services.AddControllersWithViews();" : "builder.Services.AddRazorPages();";
        Assert.That(code, Does.Contain(services).And.Contain("app.Run();"), "the template's Program.cs as docs/packaging.md expects it");
        code = code.Replace(services, services + "\nbuilder.Services.AddSse().AddChannelAccess(\"admin\", roles: \"Admin\");", StringComparison.Ordinal);
        code = code.Replace("app.Run();", """
            app.MapSse();
            app.MapGet("/hello", async (SseArea.ISsePublisher sse) =>
            {
                await sse.PublishAsync(new { message = "Hello!" }, type: "greeting");
                return "Message sent!";
            });

            app.Run();
            """, StringComparison.Ordinal);
        File.WriteAllText(program, code);

        var views = Path.Combine(site, mvc ? "Views" : "Pages");
        File.AppendAllText(Path.Combine(views, "_ViewImports.cshtml"), "\n@addTagHelper *, SseArea\n");
        File.AppendAllText(Path.Combine(views, mvc ? Path.Combine("Home", "Index.cshtml") : "Index.cshtml"), """

            <sse-stream events="greeting" target="#feed"></sse-stream>
            <ol id="feed"></ol>

            """);
    }
}
