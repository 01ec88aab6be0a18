using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using SseArea.Tests.Infrastructure;

namespace SseArea.Tests.Integration;

/// <summary>
/// The test host twice, for tests that throw hostile input at it: on Kestrel over real loopback
/// sockets (what a client actually gets, with Kestrel's own limits in front) and in the in-memory
/// test server (no request-line or header limits, so SseArea's own checks answer inputs Kestrel
/// would refuse first). After every test, each site is checked over that test's log lines: it is
/// still healthy, nothing was logged at Error, and no SseArea log line holds a control character.
/// </summary>
/// <remarks>Heartbeats are off so that every block read is an event the test caused.</remarks>
public abstract class HostileSiteFixture(BrokerKind broker)
{
    protected BrokerKind Broker { get; } = broker;

    /// <summary>The site on Kestrel (real sockets).</summary>
    internal TestSite<TestHost.Program> Real { get; private set; } = null!;

    /// <summary>The site on the test server (no request-line or header size limits).</summary>
    internal TestSite<TestHost.Program> Unlimited { get; private set; } = null!;

    /// <summary>A client of <see cref="Real"/>.</summary>
    protected HttpClient Http => Real.Http;

    /// <summary>A client of <see cref="Unlimited"/>.</summary>
    protected HttpClient UnlimitedHttp => Unlimited.Http;

    protected ISsePublisher Publisher => Real.Publisher;

    /// <summary>The log of <see cref="Real"/>.</summary>
    internal FakeLogCollector Logs => Real.Logs;

    [OneTimeSetUp]
    public async Task StartSitesAsync()
    {
        Real = await TestSite.StartAsync(Options(inMemoryServer: false));
        Unlimited = await TestSite.StartAsync(Options(inMemoryServer: true));
    }

    [OneTimeTearDown]
    public async Task StopSitesAsync()
    {
        foreach (var site in new[] { Real, Unlimited })
        {
            if (site is not null)
            {
                await site.DisposeAsync();
            }
        }
    }

    /// <summary>Each test's log lines are its own.</summary>
    [SetUp]
    public void ForgetEarlierLogLines()
    {
        Real.Logs.Clear();
        Unlimited.Logs.Clear();
    }

    [TearDown]
    public async Task TheSitesAreHealthy_AndNothingFailedOrForgedALogLine()
    {
        foreach (var site in new[] { Real, Unlimited })
        {
            using (var health = await site.Http.GetAsync("/healthz"))
            {
                Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "/healthz");
                Assert.That(await health.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
            }

            await using (var stream = await SseTestStream.OpenAsync(site.Http, "/sse/stream?channel=still.healthy"))
            {
                await site.Publisher.PublishAsync("all is well", type: "status", channel: "still.healthy");
                Assert.That(await stream.ReadEventAsync(), Is.EqualTo("event:status\ndata:all is well\n\n"), "a normal stream still works");
            }

            var records = site.Logs.GetSnapshot();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(records.Where(r => r.Level >= LogLevel.Error).Select(r => $"{r.Category}: {r.Message} {r.Exception}"), Is.Empty, "no error was logged (an unhandled exception, a 500)");
                Assert.That(
                    records.Where(r => r.Category?.StartsWith("SseArea.", StringComparison.Ordinal) == true && HoldsLineBreakOrControl(r.Message)).Select(r => $"{r.Category}: {r.Message}"),
                    Is.Empty,
                    "no SseArea log line holds a line break or another control character an input put there");
            }
        }
    }

    /// <summary>How a hostile site is set up: on this fixture's broker, heartbeats off.</summary>
    private protected TestSiteOptions Options(bool inMemoryServer, Dictionary<string, string?>? settings = null)
    {
        var options = new TestSiteOptions
        {
            Broker = Broker,
            InMemoryServer = inMemoryServer,
            Settings = { [TestSettings.HeartbeatInterval] = "00:00:00" },
        };
        foreach (var (key, value) in settings ?? [])
        {
            options.Settings[key] = value;
        }

        return options;
    }

    /// <summary>Whether <paramref name="text"/> holds a character that starts a new line or hides text in a log viewer.</summary>
    internal static bool HoldsLineBreakOrControl(string text)
        => text.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029');

    /// <summary>The response to a request written byte by byte over a socket: its status and its head.</summary>
    internal async Task<(int Status, string Head)> RawRequestAsync(byte[] target, params (string Name, byte[] Value)[] headers)
    {
        var request = new MemoryStream();
        request.Write("GET "u8);
        request.Write(target);
        request.Write(" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"u8);
        foreach (var (name, value) in headers)
        {
            request.Write(Encoding.ASCII.GetBytes(name + ": "));
            request.Write(value);
            request.Write("\r\n"u8);
        }

        request.Write("Connection: close\r\n\r\n"u8);

        using var deadline = new CancellationTokenSource(SseTestStream.DefaultTimeout);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(Real.Address.Host, Real.Address.Port, deadline.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(request.ToArray(), deadline.Token);

        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var text = Encoding.Latin1.GetString(received.GetBuffer(), 0, (int)received.Length);
            if (text.IndexOf("\r\n\r\n", StringComparison.Ordinal) is var end and >= 0)
            {
                var head = text[..end];
                return (int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), head);
            }

            var read = await stream.ReadAsync(buffer, deadline.Token);
            if (read == 0)
            {
                Assert.Fail($"The server closed the connection before a whole response head: '{text}'.");
            }

            received.Write(buffer, 0, read);
        }
    }

    /// <summary>Opens a stream and reads the opening comment, so that the next block is the first event.</summary>
    internal static async Task<SseTestStream> OpenPastPreambleAsync(HttpClient http, string url)
    {
        var stream = await SseTestStream.OpenAsync(http, url);
        Assert.That(await stream.ReadBlockAsync(), Is.EqualTo(":\n"), "the opening comment");
        return stream;
    }
}
