using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using SseArea.Internal.Hosting;

namespace SseArea.Tests.Unit;

/// <summary>Where the Redis URL comes from (Flask-SSE's SSE_REDIS_URL then REDIS_URL) and the startup checks.</summary>
public sealed class SseOptionsSetupTests
{
    private static IConfiguration Configuration(params (string Key, string? Value)[] settings)
        => new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();

    /// <summary>The options as the application sees them: bound, configured in code, post-configured, validated.</summary>
    private static SseOptions Resolve(IConfiguration configuration, Action<SseOptions>? configure = null)
    {
        using var services = new ServiceCollection()
            .AddSingleton(configuration)
            .AddLogging()
            .AddSse(configure).Services
            .BuildServiceProvider();
        return services.GetRequiredService<IOptions<SseOptions>>().Value;
    }

    /// <summary>Binding and the Redis URL set-up alone, without validation.</summary>
    private static SseOptions PostConfigure(IConfiguration configuration, Action<SseOptions>? configure = null)
    {
        var options = new SseOptions();
        configuration.GetSection(SseOptions.SectionName).Bind(options);
        configure?.Invoke(options);
        new SseOptionsSetup(configuration).PostConfigure(Options.DefaultName, options);
        return options;
    }

    // ---- Which key wins ----

    [Test]
    public void RedisUrl_WithNothingSet_IsNull()
    {
        var options = Resolve(Configuration());

        Assert.That(options.Redis.Url, Is.Null);
    }

    [Test]
    public void RedisUrl_WithRedisUrlOnly_ComesFromRedisUrl()
    {
        var options = Resolve(Configuration(("REDIS_URL", "redis://plain")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Redis.Url, Is.EqualTo("redis://plain"));
            Assert.That(options.Redis.UrlSource, Is.EqualTo("REDIS_URL"));
        }
    }

    [Test]
    public void RedisUrl_WithSseRedisUrlAndRedisUrl_ComesFromSseRedisUrl()
    {
        var options = Resolve(Configuration(("REDIS_URL", "redis://plain"), ("SSE_REDIS_URL", "redis://sse")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Redis.Url, Is.EqualTo("redis://sse"));
            Assert.That(options.Redis.UrlSource, Is.EqualTo("SSE_REDIS_URL"));
        }
    }

    [Test]
    public void RedisUrl_WithSectionKeySet_BeatsSseRedisUrlAndRedisUrl()
    {
        var options = Resolve(Configuration(("REDIS_URL", "redis://plain"), ("SSE_REDIS_URL", "redis://sse"), ("Sse:Redis:Url", "redis://section")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Redis.Url, Is.EqualTo("redis://section"));
            Assert.That(options.Redis.UrlSource, Is.EqualTo("Sse:Redis:Url"));
        }
    }

    [Test]
    public void RedisUrl_SetInCode_BeatsEveryConfigurationKey()
    {
        var configuration = Configuration(("REDIS_URL", "redis://plain"), ("SSE_REDIS_URL", "redis://sse"), ("Sse:Redis:Url", "redis://section"));

        var options = Resolve(configuration, o => o.Redis.Url = "redis://code");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Redis.Url, Is.EqualTo("redis://code"));
            Assert.That(options.Redis.UrlSource, Is.EqualTo("SseOptions.Redis.Url"));
        }
    }

    [Test]
    public void RedisUrl_SetInCodeWithNoConfiguration_IsKept()
    {
        var options = Resolve(Configuration(), o => o.Redis.Url = "redis://code");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Redis.Url, Is.EqualTo("redis://code"));
            Assert.That(options.Redis.UrlSource, Is.EqualTo("SseOptions.Redis.Url"));
        }
    }

    [Test]
    public void RedisUrl_WhitespaceInCode_FallsBackToConfiguration()
    {
        var options = PostConfigure(Configuration(("REDIS_URL", "redis://plain")), o => o.Redis.Url = "   ");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Redis.Url, Is.EqualTo("redis://plain"));
            Assert.That(options.Redis.UrlSource, Is.EqualTo("REDIS_URL"));
        }
    }

    [Test]
    public void RedisUrl_WhitespaceSectionAndSseRedisUrl_AreSkipped()
    {
        var options = Resolve(Configuration(("Sse:Redis:Url", "  "), ("SSE_REDIS_URL", " \t "), ("REDIS_URL", "redis://plain")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Redis.Url, Is.EqualTo("redis://plain"));
            Assert.That(options.Redis.UrlSource, Is.EqualTo("REDIS_URL"));
        }
    }

    [Test]
    public void RedisUrl_OnlyWhitespaceEverywhere_IsNull()
    {
        var options = Resolve(Configuration(("Sse:Redis:Url", " "), ("SSE_REDIS_URL", " "), ("REDIS_URL", " ")));

        Assert.That(options.Redis.Url, Is.Null);
    }

    [Test]
    public void RedisUrl_EmptySseRedisUrl_FallsBackToRedisUrl()
    {
        var options = PostConfigure(Configuration(("SSE_REDIS_URL", string.Empty), ("REDIS_URL", "redis://plain")));

        Assert.That(options.Redis.Url, Is.EqualTo("redis://plain"));
    }

    [Test]
    public void Url_IsReadOnce_AtStartup_IntoTheConnectionSettings()
    {
        var options = Resolve(Configuration(("Sse:Redis:Url", "redis://:secret@cache.internal:6380/2")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Redis.ParsedUrl!.EndPoints.Single().ToString(), Is.EqualTo("Unspecified/cache.internal:6380"));
            Assert.That(options.Redis.ParsedUrl.Password, Is.EqualTo("secret"));
            Assert.That(options.Redis.ParsedUrl.DefaultDatabase, Is.EqualTo(2));
        }
    }

    [Test]
    public void ConfigurationOrConnectionFactorySetInCode_LeaveTheEnvironmentsUrlUnread()
    {
        var configuration = Configuration(("REDIS_URL", "redis://plain"), ("SSE_REDIS_URL", "redis://sse"));

        var withOptions = Resolve(configuration, o => o.Redis.Configuration = StackExchange.Redis.ConfigurationOptions.Parse("own:6379"));
        var withFactory = Resolve(configuration, o => o.Redis.ConnectionFactory = () => Task.FromException<StackExchange.Redis.IConnectionMultiplexer>(new InvalidOperationException("not called")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(withOptions.Redis.Url, Is.Null);
            Assert.That(withFactory.Redis.Url, Is.Null);
            Assert.That(withOptions.Redis.IsConfigured && withFactory.Redis.IsConfigured, Is.True);
        }
    }

    [Test]
    public void SeveralWaysToConfigureRedis_FailAtStartup_NamingThem()
    {
        var configuration = Configuration(("Sse:Redis:Url", "redis://section"));

        var refused = Assert.Throws<OptionsValidationException>(() => Resolve(configuration, o => o.Redis.Configuration = StackExchange.Redis.ConfigurationOptions.Parse("own:6379")));

        Assert.That(refused!.Message, Does.Contain("configured 2 ways").And.Contain("SseOptions.Redis.Configuration").And.Contain("'Sse:Redis:Url'"));
    }

    [TestCase("Sse:RedisUrl", "redis://old", "Sse:Redis:Url")]
    [TestCase("Sse:RedisShardedPubSub", "true", "Sse:Redis:ShardedPubSub")]
    public void SettingUnderItsEarlierName_FailsAtStartup_NamingTheNewOne(string old, string value, string renamed)
    {
        var refused = Assert.Throws<OptionsValidationException>(() => Resolve(Configuration((old, value), ("REDIS_URL", "redis://plain"))));

        Assert.That(refused!.Message, Does.Contain($"'{old}' was renamed '{renamed}'"));
    }

    // ---- Validation ----

    private static ValidateOptionsResult Validate(SseOptions options, IConfiguration? configuration = null)
        => new SseOptionsValidator(configuration ?? Configuration()).Validate(Options.DefaultName, options);

    [Test]
    public void Validate_Defaults_Succeeds()
    {
        Assert.That(Validate(new SseOptions()).Succeeded, Is.True);
    }

    [TestCase("redis://localhost")]
    [TestCase("rediss://user:secret@host:6380/2")]
    [TestCase("localhost:6379,password=secret")]
    public void Validate_WellFormedRedisUrl_Succeeds(string url)
    {
        var result = Validate(PostConfigure(Configuration(("Sse:Redis:Url", url))));

        Assert.That(result.Succeeded, Is.True, () => result.FailureMessage ?? string.Empty);
    }

    [Test]
    public void Validate_MalformedRedisUrlWithPassword_NamesTheKeyAndMasksThePassword()
    {
        var options = PostConfigure(Configuration(("REDIS_URL", "redis://:hunter2@host:notaport")));

        var result = Validate(options);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.FailureMessage, Does.Contain("REDIS_URL"));
            Assert.That(result.FailureMessage, Does.Contain("redis://:****@host:notaport"));
            Assert.That(result.FailureMessage, Does.Contain("port"));
            Assert.That(result.FailureMessage, Does.Not.Contain("hunter2"));
        }
    }

    [Test]
    public void Validate_MalformedRedisUrlWithSlashInPassword_DoesNotShowThePassword()
    {
        // A base64 password (as cloud Redis access keys are) holding an unencoded '/', in a URL
        // that is malformed for another reason.
        var options = PostConfigure(Configuration(("REDIS_URL", "redis://:hunter2/xyz=@host:notaport")));

        var result = Validate(options);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.FailureMessage, Does.Contain("REDIS_URL"));
            Assert.That(result.FailureMessage, Does.Not.Contain("hunter2"));
        }
    }

    [Test]
    public void Validate_MalformedSseRedisUrl_NamesSseRedisUrl()
    {
        var options = PostConfigure(Configuration(("SSE_REDIS_URL", "http://host"), ("REDIS_URL", "redis://fine")));

        var result = Validate(options);

        Assert.That(result.FailureMessage, Does.Contain("'SSE_REDIS_URL'"));
    }

    [Test]
    public void Validate_MalformedConfigurationStringWithPassword_MasksThePassword()
    {
        var options = PostConfigure(Configuration(("Sse:Redis:Url", "host,password=hunter2,bogus=1")));

        var result = Validate(options);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.FailureMessage, Does.Contain("Sse:Redis:Url"));
            Assert.That(result.FailureMessage, Does.Contain("password=****"));
            Assert.That(result.FailureMessage, Does.Not.Contain("hunter2"));
        }
    }

    private static IEnumerable<TestCaseData> BadSettings()
    {
        yield return new TestCaseData(new SseOptions { DefaultChannel = string.Empty }, "Sse:DefaultChannel").SetArgDisplayNames("EmptyDefaultChannel");
        yield return new TestCaseData(new SseOptions { DefaultChannel = "a\nb" }, "Sse:DefaultChannel").SetArgDisplayNames("DefaultChannelWithLineBreak");
        yield return new TestCaseData(new SseOptions { DefaultChannel = null! }, "Sse:DefaultChannel").SetArgDisplayNames("NullDefaultChannel");
        yield return new TestCaseData(new SseOptions { DefaultChannel = new string('a', 11), MaxChannelNameLength = 10 }, "Sse:DefaultChannel").SetArgDisplayNames("DefaultChannelTooLong");
        yield return new TestCaseData(new SseOptions { RoutePrefix = string.Empty }, "Sse:RoutePrefix").SetArgDisplayNames("EmptyRoutePrefix");
        yield return new TestCaseData(new SseOptions { RoutePrefix = "/" }, "Sse:RoutePrefix").SetArgDisplayNames("SlashRoutePrefix");
        yield return new TestCaseData(new SseOptions { RoutePrefix = "sse stream" }, "Sse:RoutePrefix").SetArgDisplayNames("RoutePrefixWithSpace");
        yield return new TestCaseData(new SseOptions { RoutePrefix = "sse/{id}" }, "Sse:RoutePrefix").SetArgDisplayNames("RoutePrefixWithBraces");
        yield return new TestCaseData(new SseOptions { MaxChannelsPerConnection = 0 }, "Sse:MaxChannelsPerConnection").SetArgDisplayNames("ZeroMaxChannels");
        yield return new TestCaseData(new SseOptions { MaxQueuedEventsPerConnection = 0 }, "Sse:MaxQueuedEventsPerConnection").SetArgDisplayNames("ZeroMaxQueuedEvents");
        yield return new TestCaseData(new SseOptions { MaxChannelNameLength = 0 }, "Sse:MaxChannelNameLength").SetArgDisplayNames("ZeroMaxChannelNameLength");
        yield return new TestCaseData(new SseOptions { RetryInterval = TimeSpan.FromSeconds(-1) }, "Sse:RetryInterval").SetArgDisplayNames("NegativeRetryInterval");
        yield return new TestCaseData(new SseOptions { RetryInterval = TimeSpan.FromDays(30) }, "Sse:RetryInterval").SetArgDisplayNames("HugeRetryInterval");
        yield return new TestCaseData(new SseOptions { HeartbeatInterval = TimeSpan.FromSeconds(-1) }, "Sse:HeartbeatInterval").SetArgDisplayNames("NegativeHeartbeatInterval");
        yield return new TestCaseData(new SseOptions { HistoryLength = -1 }, "Sse:HistoryLength").SetArgDisplayNames("NegativeHistoryLength");
        yield return new TestCaseData(new SseOptions { HistoryLength = 100_001 }, "Sse:HistoryLength").SetArgDisplayNames("HugeHistoryLength");
    }

    [TestCaseSource(nameof(BadSettings))]
    public void Validate_BadSetting_FailsNamingTheSetting(SseOptions options, string setting)
    {
        var result = Validate(options);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result.Failed, Is.True);
            Assert.That(result.Failures, Has.One.Contains(setting));
        }
    }

    [Test]
    public void Validate_SeveralBadSettings_ReportsEachOne()
    {
        var result = Validate(new SseOptions { RoutePrefix = string.Empty, MaxChannelsPerConnection = 0, MaxQueuedEventsPerConnection = 0 });

        Assert.That(result.Failures, Has.Exactly(3).Items);
    }

    // ---- End to end through AddSse ----

    [Test]
    public void AddSse_WithMalformedRedisUrl_FailsWhenOptionsAreReadNamingTheKey()
    {
        var configuration = Configuration(("REDIS_URL", "redis://:hunter2@host:notaport"));

        var exception = Assert.Throws<OptionsValidationException>(() => Resolve(configuration));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(exception.Message, Does.Contain("REDIS_URL"));
            Assert.That(exception.Message, Does.Contain("****"));
            Assert.That(exception.Message, Does.Not.Contain("hunter2"));
        }
    }

    [Test]
    public void AddSse_WithBadSectionSetting_FailsNamingTheSetting()
    {
        var configuration = Configuration(("Sse:MaxChannelsPerConnection", "0"));

        Assert.That(() => Resolve(configuration), Throws.TypeOf<OptionsValidationException>().With.Message.Contains("Sse:MaxChannelsPerConnection"));
    }

    [TestCase("__app:", "starts with '__'")]
    [TestCase("{app}:", "brace")]
    [TestCase("app\n", "control")]
    [TestCase("an-app-prefix-that-goes-on-and-on-and-on-well-beyond-what-anyone-needs:", "more than 64")]
    public void AddSse_WithABadChannelPrefix_FailsNamingTheSettingAndWhy(string prefix, string why)
    {
        var configuration = Configuration(("Sse:Redis:Url", "redis://127.0.0.1:6379"), ("Sse:Redis:ChannelPrefix", prefix));

        Assert.That(() => Resolve(configuration), Throws.TypeOf<OptionsValidationException>().With.Message.Contains("Sse:Redis:ChannelPrefix is not valid").And.Message.Contains(why));
    }

    [Test]
    public void AddSse_BindsTheSseSection()
    {
        var options = Resolve(Configuration(("Sse:DefaultChannel", "news"), ("Sse:RoutePrefix", "events"), ("Sse:MaxChannelsPerConnection", "3")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.DefaultChannel, Is.EqualTo("news"));
            Assert.That(options.RoutePrefix, Is.EqualTo("events"));
            Assert.That(options.MaxChannelsPerConnection, Is.EqualTo(3));
        }
    }

    [Test]
    public void AddSse_ReadsHeartbeatAndHistoryFromTheSection()
    {
        var options = Resolve(Configuration(("Sse:HeartbeatInterval", "00:00:30"), ("Sse:HistoryLength", "500")));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.HeartbeatInterval, Is.EqualTo(TimeSpan.FromSeconds(30)));
            Assert.That(options.HistoryLength, Is.EqualTo(500));
        }
    }

    [Test]
    public void Defaults_HeartbeatEvery15Seconds_HistoryOff()
    {
        var options = new SseOptions();

        Assert.That(options.HeartbeatInterval, Is.EqualTo(TimeSpan.FromSeconds(15)));
        Assert.That(options.HistoryLength, Is.Zero);
    }
}
