using System.Net;
using Microsoft.Extensions.DependencyInjection;
using SseArea.TestHost;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// Access ends when access ends: a stream that needed a rule ends by itself after <c>Sse:AccessRecheckInterval</c> or when
/// the user's ticket expires, and <see cref="ISseStreams.EndStreams"/> ends a user's streams at once; the reconnect is
/// checked again. Public streams are left alone.
/// </summary>
[CancelAfter(60_000)]
public sealed class AccessEndsTests
{
    [Test]
    public async Task AProtectedStream_EndsAfterTheRecheckInterval_AndItsReconnectIsCheckedAgain()
    {
        await using var site = await StartAsync(recheck: "00:00:01");
        await using var vip = await OpenAsync(site, "vip", "admin", "Admin");
        await using var open = await OpenAsync(site, "open", "admin", "Admin");

        await vip.ReadToEndAsync(TimeSpan.FromSeconds(10));
        await site.Publisher.PublishAsync("still here", channel: "open");
        using var withoutTheRole = await GetAsync(site, "vip", "admin", roles: null);

        Assert.That(await open.ReadEventAsync(), Is.EqualTo("data:still here\n\n"), "a stream no rule protects stays open");
        Assert.That(withoutTheRole.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the role was removed: the reconnect is refused");
    }

    [Test]
    public async Task AProtectedStream_EndsWhenTheUsersTicketExpires()
    {
        await using var site = await StartAsync(recheck: "00:05:00");
        await using var vip = await OpenAsync(site, "vip", "admin", "Admin", expiresInSeconds: 1);

        await vip.ReadToEndAsync(TimeSpan.FromSeconds(10));
    }

    [Test]
    public async Task EndStreams_EndsTheStreamsOfThatUserAtOnce_AndNobodyElses()
    {
        await using var site = await StartAsync(recheck: "00:05:00");
        await using var alice = await OpenAsync(site, "news", "alice", roles: null);
        await using var bob = await OpenAsync(site, "news", "bob", roles: null);

        var ended = site.Services.GetRequiredService<ISseStreams>().EndStreams(user => user.Identity?.Name == "alice");
        await alice.ReadToEndAsync(TimeSpan.FromSeconds(10));
        await site.Publisher.PublishAsync("for bob", channel: "news");

        Assert.That(ended, Is.EqualTo(1));
        Assert.That(await bob.ReadEventAsync(), Is.EqualTo("data:for bob\n\n"));
        Assert.That(() => site.Services.GetRequiredService<ISseStreams>().EndStreams(null!), Throws.ArgumentNullException);
    }

    private static Task<TestSite<TestHost.Program>> StartAsync(string recheck) => TestSite.StartAsync(new TestSiteOptions
    {
        Settings = { ["Sse:AccessRecheckInterval"] = recheck },
        Services = services => services.AddSse().AddChannelAccess("vip", roles: "Admin"),
    });

    private static Task<SseTestStream> OpenAsync(TestSite<TestHost.Program> site, string channel, string user, string? roles, int? expiresInSeconds = null)
        => SseTestStream.OpenAsync(site.Http, $"/sse/stream?channel={channel}", headers =>
        {
            headers.Add(TestAuthHandler.UserHeader, user);
            if (roles is not null)
            {
                headers.Add(TestAuthHandler.RolesHeader, roles);
            }

            if (expiresInSeconds is { } seconds)
            {
                headers.Add(TestAuthHandler.ExpiresHeader, seconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
        });

    private static async Task<HttpResponseMessage> GetAsync(TestSite<TestHost.Program> site, string channel, string user, string? roles)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/sse/stream?channel={channel}");
        request.Headers.Add(TestAuthHandler.UserHeader, user);
        if (roles is not null)
        {
            request.Headers.Add(TestAuthHandler.RolesHeader, roles);
        }

        return await site.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }
}
