using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseArea.Internal.Hosting;
using SseArea.Internal.Redis;

namespace SseArea.Tests.Unit;

/// <summary>The settings of a Redis Cluster: several seed nodes in the Redis URL, and sharded pub/sub.</summary>
public sealed class RedisClusterSettingsTests
{
    [Test]
    public void TryParse_UrlWithSeveralSeedNodes_GivesEveryEndpoint_WithSharedCredentials()
    {
        var parsed = RedisUrl.TryParse("redis://app:secret@10.0.0.1:7000,10.0.0.2,[::1]:7002", out var options, out var error);

        Assert.That(parsed, Is.True, () => error ?? string.Empty);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(options!.EndPoints, Has.Count.EqualTo(3));
            Assert.That(options.User, Is.EqualTo("app"));
            Assert.That(options.Password, Is.EqualTo("secret"));
            Assert.That(RedisUrl.DescribeEndPoints(options), Is.EqualTo("10.0.0.1:7000,10.0.0.2:6379,[::1]:7002"));
        }
    }

    [Test]
    public void TryParse_TlsUrlWithSeveralSeedNodes_ChecksEachCertificateAgainstItsOwnNode()
    {
        var parsed = RedisUrl.TryParse("rediss://a.cache:6380,b.cache:6380", out var options, out _);

        Assert.That(parsed, Is.True);
        Assert.That(options!.Ssl, Is.True);
        Assert.That(options.SslHost, Is.Null, "no one name for every node");
    }

    [TestCase("redis://a:7000,,b:7000", "seed node 2 of 3 is empty")]
    [TestCase("redis://a:7000,", "seed node 2 of 2 is empty")]
    [TestCase("redis://,a:7000", "seed node 1 of 2 is empty")]
    [TestCase("redis://a:7000,b:port", "seed node 2 of 2: the port 'port' is not a number")]
    [TestCase("redis://a:7000,b c:7000", "seed node 2 of 2: the host holds characters")]
    [TestCase("redis://a:7000,::1:7001", "seed node 2 of 2: the host '::1' looks like an IPv6 address")]
    public void TryParse_MalformedSeedNodeList_SaysWhichNodeAndWhy(string value, string expected)
    {
        var parsed = RedisUrl.TryParse(value, out _, out var error);

        Assert.That(parsed, Is.False);
        Assert.That(error, Does.Contain(expected));
    }

    [Test]
    public void Validate_MalformedSeedNodeList_NamesTheSetting_AndMasksThePassword()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new("Sse:Redis:Url", "redis://:hunter2@a:7000,b:notaport")]).Build();
        var options = new SseOptions();
        configuration.GetSection(SseOptions.SectionName).Bind(options);
        new SseOptionsSetup(configuration).PostConfigure(Options.DefaultName, options);

        var result = new SseOptionsValidator(configuration).Validate(Options.DefaultName, options);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("'Sse:Redis:Url'").And.Contain("seed node 2 of 2"));
            Assert.That(result.FailureMessage, Does.Contain("redis://:****@a:7000,b:notaport"));
            Assert.That(result.FailureMessage, Does.Not.Contain("hunter2"));
        }
    }

    [Test]
    public void Options_ShardedPubSub_IsOffByDefault_AndBindsFromTheSseSection()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Resolve(("REDIS_URL", "redis://plain")).Redis.ShardedPubSub, Is.False, "Flask-SSE's PUBLISH stays the default");
            Assert.That(Resolve(("REDIS_URL", "redis://plain"), ("Sse:Redis:ShardedPubSub", "true")).Redis.ShardedPubSub, Is.True);
        }
    }

    [Test]
    public void Options_ShardedPubSubWithoutRedis_FailsAtStartup_NamingTheSetting()
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Resolve(("Sse:Redis:ShardedPubSub", "true")));

        Assert.That(refused!.Message, Does.Contain("Sse:Redis:ShardedPubSub").And.Contain("no Redis is configured"));
    }

    [Test]
    public void Options_ShardedPubSubNotABoolean_FailsAtStartup_NamingTheSetting()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => Resolve(("REDIS_URL", "redis://plain"), ("Sse:Redis:ShardedPubSub", "yes please")));

        Assert.That(refused!.Message, Does.Contain("Sse:Redis:ShardedPubSub"));
    }

    private static SseOptions Resolve(params (string Key, string? Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        using var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(configuration)
            .AddLogging()
            .AddSse().Services
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<SseOptions>>().Value;
    }
}
