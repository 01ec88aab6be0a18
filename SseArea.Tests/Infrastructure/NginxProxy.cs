using System.Diagnostics;
using System.Globalization;

namespace SseArea.Tests.Infrastructure;

/// <summary>
/// Debian's nginx in front of a site, as the docs' proxy block sets it up (<c>docs/operations.md</c>), on a free
/// loopback port: plain HTTP/1.1, or HTTPS with HTTP/2 and a certificate made for the test. Its own config, temp
/// folders and pid in a temp folder; stopped by its process id.
/// </summary>
internal sealed class NginxProxy : IAsyncDisposable
{
    private readonly Process _process;
    private readonly DirectoryInfo _folder;

    private NginxProxy(Process process, DirectoryInfo folder, Uri address)
    {
        _process = process;
        _folder = folder;
        Address = address;
    }

    /// <summary>Where the proxy listens.</summary>
    public Uri Address { get; }

    /// <summary>Starts nginx in front of <paramref name="upstream"/>; with <paramref name="http2"/>, on HTTPS with HTTP/2.</summary>
    public static async Task<NginxProxy> StartAsync(Uri upstream, bool http2 = false)
    {
        if (LocalTools.Find("nginx") is not { } nginx)
        {
            LocalTools.Unavailable("nginx is needed (apt-get install -y nginx; eng/test.sh does it).");
            throw new InvalidOperationException("unreachable");
        }

        var folder = Directory.CreateTempSubdirectory("ssearea-nginx-");
        var port = RedisTestServer.FreeLoopbackPort();
        var tls = string.Empty;
        if (http2)
        {
            var (certificate, key) = TestCertificate.WritePem(folder.FullName);
            tls = $"""
                ssl http2;
                    ssl_certificate {certificate};
                    ssl_certificate_key {key}
                """;
        }

        var config = Path.Combine(folder.FullName, "nginx.conf");
        await File.WriteAllTextAsync(config, $$"""
            user root;
            worker_processes 1;
            daemon off;
            pid {{folder.FullName}}/nginx.pid;
            error_log {{folder.FullName}}/error.log warn;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{folder.FullName}}/body;
              proxy_temp_path {{folder.FullName}}/proxy;
              fastcgi_temp_path {{folder.FullName}}/fastcgi;
              uwsgi_temp_path {{folder.FullName}}/uwsgi;
              scgi_temp_path {{folder.FullName}}/scgi;
              upstream app { server {{upstream.Host}}:{{upstream.Port.ToString(CultureInfo.InvariantCulture)}}; keepalive 16; }
              server {
                listen 127.0.0.1:{{port.ToString(CultureInfo.InvariantCulture)}} {{tls}};
                location / {
                  proxy_pass http://app;
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_set_header Host $host;
                  proxy_buffering off;
                  proxy_cache off;
                  proxy_read_timeout 1h;
                }
              }
            }
            """);
        var process = Process.Start(new ProcessStartInfo(nginx)
        {
            ArgumentList = { "-p", folder.FullName, "-c", config },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var proxy = new NginxProxy(process, folder, new Uri($"{(http2 ? "https" : "http")}://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"));
        await Eventually.HoldsAsync(() => Task.FromResult(Listening(port) || process.HasExited), "nginx listening");
        if (process.HasExited)
        {
            var log = File.Exists(Path.Combine(folder.FullName, "error.log")) ? await File.ReadAllTextAsync(Path.Combine(folder.FullName, "error.log")) : string.Empty;
            throw new InvalidOperationException($"nginx exited ({process.ExitCode}): {log}");
        }

        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            await LocalTools.SignalAsync(_process.Id, "-QUIT");
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        _folder.Delete(recursive: true);
    }

    private static bool Listening(int port)
    {
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            client.Connect(System.Net.IPAddress.Loopback, port);
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
