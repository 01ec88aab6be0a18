using System.Net;
using SseArea.Internal.Redis;
using StackExchange.Redis;

namespace SseArea.Tests.Unit;

/// <summary>Reading the Redis setting (URL or StackExchange.Redis string) and masking its password.</summary>
public sealed class RedisUrlTests
{
    private static ConfigurationOptions Parse(string value)
    {
        var parsed = RedisUrl.TryParse(value, out var options, out var error);
        Assert.That(parsed, Is.True, () => $"'{value}' was refused: {error}");
        return options!;
    }

    private static string ParseError(string value)
    {
        var parsed = RedisUrl.TryParse(value, out var options, out var error);
        Assert.That(parsed, Is.False, () => $"'{value}' was accepted as {options}");
        Assert.That(options, Is.Null);
        return error!;
    }

    [Test]
    public void TryParse_HostOnlyUrl_UsesPort6379AndNoCredentials()
    {
        var options = Parse("redis://localhost");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.EndPoints, Is.EqualTo(new EndPoint[] { new DnsEndPoint("localhost", 6379) }));
            Assert.That(options.User, Is.Null);
            Assert.That(options.Password, Is.Null);
            Assert.That(options.DefaultDatabase, Is.Null);
            Assert.That(options.Ssl, Is.False);
        }
    }

    [Test]
    public void TryParse_UrlWithPasswordOnly_ReadsPasswordWithoutUser()
    {
        var options = Parse("redis://:secret@localhost");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.User, Is.Null);
            Assert.That(options.Password, Is.EqualTo("secret"));
            Assert.That(options.EndPoints, Is.EqualTo(new EndPoint[] { new DnsEndPoint("localhost", 6379) }));
        }
    }

    [Test]
    public void TryParse_FullUrl_ReadsUserPasswordPortAndDatabase()
    {
        var options = Parse("redis://user:secret@host:6380/2");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.User, Is.EqualTo("user"));
            Assert.That(options.Password, Is.EqualTo("secret"));
            Assert.That(options.DefaultDatabase, Is.EqualTo(2));
            Assert.That(options.EndPoints, Is.EqualTo(new EndPoint[] { new DnsEndPoint("host", 6380) }));
            Assert.That(options.Ssl, Is.False);
        }
    }

    [Test]
    public void TryParse_RedissUrl_TurnsOnTlsForTheHost()
    {
        var options = Parse("rediss://host");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Ssl, Is.True);
            Assert.That(options.SslHost, Is.EqualTo("host"));
            Assert.That(options.EndPoints, Is.EqualTo(new EndPoint[] { new DnsEndPoint("host", 6379) }));
        }
    }

    [Test]
    public void TryParse_UpperCaseScheme_IsAccepted()
    {
        Assert.That(Parse("REDISS://host").Ssl, Is.True);
    }

    [Test]
    public void TryParse_BracketedIpv6Url_ReadsAddressAndPort()
    {
        var options = Parse("redis://[::1]:6390");

        Assert.That(options.EndPoints, Is.EqualTo(new EndPoint[] { new IPEndPoint(IPAddress.IPv6Loopback, 6390) }));
    }

    [Test]
    public void TryParse_BracketedIpv6UrlWithoutPort_UsesPort6379()
    {
        Assert.That(Parse("redis://[::1]").EndPoints, Is.EqualTo(new EndPoint[] { new IPEndPoint(IPAddress.IPv6Loopback, 6379) }));
    }

    [Test]
    public void TryParse_PercentEncodedPassword_DecodesIt()
    {
        Assert.That(Parse("redis://:p%40ss@host").Password, Is.EqualTo("p@ss"));
    }

    [Test]
    public void TryParse_UrlWithSurroundingWhitespace_IsTrimmed()
    {
        Assert.That(Parse("  redis://host:6380  ").EndPoints, Is.EqualTo(new EndPoint[] { new DnsEndPoint("host", 6380) }));
    }

    [Test]
    public void TryParse_UrlWithTrailingSlash_HasNoDatabase()
    {
        Assert.That(Parse("redis://host/").DefaultDatabase, Is.Null);
    }

    [Test]
    public void TryParse_StackExchangeConfigurationString_ReadsItsSettings()
    {
        var options = Parse("127.0.0.1:6379,password=secret,abortConnect=false");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.EndPoints, Is.EqualTo(new EndPoint[] { new IPEndPoint(IPAddress.Loopback, 6379) }));
            Assert.That(options.Password, Is.EqualTo("secret"));
            Assert.That(options.AbortOnConnectFail, Is.False);
        }
    }

    [TestCase("redis://", "no host")]
    [TestCase("redis://:secret@", "no host")]
    [TestCase("redis://host:notaport", "port 'notaport'")]
    [TestCase("redis://host:70000", "port '70000'")]
    [TestCase("redis://host:0", "port '0'")]
    [TestCase("redis://host:", "port ''")]
    [TestCase("redis://host/abc", "database '/abc'")]
    [TestCase("redis://host/-1", "database '/-1'")]
    [TestCase("http://host", "scheme 'http'")]
    [TestCase("redis://host?db=1", "query")]
    [TestCase("redis://host#frag", "fragments")]
    [TestCase("redis://[::1", "']'")]
    [TestCase("redis://[::1]x", "after the IPv6 address")]
    [TestCase("localhost,bogus=1", "bogus")]
    [TestCase("password=secret", "no host")]
    public void TryParse_MalformedValue_FailsSayingWhatIsWrong(string value, string expected)
    {
        Assert.That(ParseError(value), Does.Contain(expected));
    }

    [Test]
    public void TryParse_UnbracketedIpv6Address_Fails()
    {
        // Without brackets the address can not be told from a port; it must not be read as host ":" port 1.
        ParseError("redis://::1");
    }

    [Test]
    public void TryParse_ConfigurationStringWhosePasswordHoldsSchemeSeparator_IsAConfigurationString()
    {
        const string Value = "localhost,password=s3cr://et";

        var parsed = RedisUrl.TryParse(Value, out var options, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.True, error);
            Assert.That(options!.Password, Is.EqualTo("s3cr://et"));
            Assert.That(RedisUrl.MaskPassword(Value), Is.EqualTo("localhost,password=****"));
        }
    }

    [Test]
    public void TryParse_PasswordHoldingUnencodedSlashAndQuestionMark_IsRead()
    {
        var parsed = RedisUrl.TryParse("redis://:ab/c?d=@host:6380/1", out var options, out var error);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(parsed, Is.True, error);
            Assert.That(options!.Password, Is.EqualTo("ab/c?d="));
            Assert.That(options.EndPoints.Single().ToString(), Does.EndWith(":6380"));
            Assert.That(options.DefaultDatabase, Is.EqualTo(1));
        }
    }

    [Test]
    public void TryParse_MalformedConfigurationStringWithPassword_DoesNotShowThePassword()
    {
        Assert.That(ParseError("localhost,password=secret,bogus=1"), Does.Not.Contain("secret"));
    }

    [TestCase("redis://user:secret@host", "redis://user:****@host")]
    [TestCase("redis://:secret@host:6380/2", "redis://:****@host:6380/2")]
    [TestCase("rediss://user:p%40ss@host", "rediss://user:****@host")]
    [TestCase("redis://:secret@host:notaport", "redis://:****@host:notaport")]
    [TestCase("host,password=secret", "host,password=****")]
    [TestCase("host:6379,password=secret,ssl=true", "host:6379,password=****,ssl=true")]
    [TestCase("host,Password = secret", "host,Password = ****")]
    public void MaskPassword_ValueWithPassword_HidesIt(string value, string expected)
    {
        Assert.That(RedisUrl.MaskPassword(value), Is.EqualTo(expected));
    }

    [TestCase("redis://localhost")]
    [TestCase("redis://user@host:6380/2")]
    [TestCase("rediss://host")]
    [TestCase("redis://[::1]:6390")]
    [TestCase("localhost:6379,abortConnect=false")]
    [TestCase("redis://")]
    public void MaskPassword_ValueWithoutPassword_LeavesItUnchanged(string value)
    {
        Assert.That(RedisUrl.MaskPassword(value), Is.EqualTo(value));
    }

    [Test]
    public void MaskPassword_PasswordHoldingAnUnencodedSlash_DoesNotShowThePassword()
    {
        // Base64 passwords (e.g. cloud Redis access keys) often hold '/': the mask must cover them.
        Assert.That(RedisUrl.MaskPassword("redis://:abc/def@host:6379"), Does.Not.Contain("abc/def").And.Not.Contain("def@"));
    }

    [TestCase("redis:/:s3cret@127.0.0.1")]
    [TestCase("redis//:s3cret@host")]
    [TestCase("s3cret@host:6379")]
    public void TryParse_MistypedUrl_IsRefusedAndMaskedWhole(string value)
    {
        var error = ParseError(value);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(error, Does.Not.Contain("s3cret"));
            Assert.That(RedisUrl.MaskPassword(value), Does.StartWith("****@").And.Not.Contain("s3cret"));
        }
    }

    [TestCase("redis://:pw@host,password=x")]
    [TestCase("redis://ho st")]
    [TestCase("redis://host=1")]
    public void TryParse_UrlWhoseHostIsNoHostName_Fails(string value)
    {
        Assert.That(ParseError(value), Does.Contain("the host holds characters"));
    }

    [TestCase("redis://:secret@cache:6380/2", "cache:6380")]
    [TestCase("redis://[::1]:6390", "[::1]:6390")]
    [TestCase("a:1,b:2,password=secret", "a:1,b:2")]
    [TestCase("localhost,password=secret", "localhost")]
    public void DescribeEndPoints_ShowsHostsAndPortsOnly(string value, string expected)
    {
        Assert.That(RedisUrl.DescribeEndPoints(Parse(value)), Is.EqualTo(expected));
    }
}
