namespace SseArea.Tests;

/// <summary>Run-wide set-up: shared dependencies live for the whole run and end with it.</summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public async Task StopSharedServersAsync()
    {
        await Infrastructure.BrowserSession.StopAsync();
        await Infrastructure.FieldBrowser.StopAllAsync();
        await Infrastructure.PublishedSampleSite.DeleteAsync();
        await Infrastructure.RedisTestServer.StopAsync();
        await Infrastructure.RedisClusterTestServer.StopAsync();
    }
}
