using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using StackExchange.Redis;

namespace SseArea.Internal.Redis;

/// <summary>Reads a <c>redis://</c>/<c>rediss://</c> URL or a StackExchange.Redis configuration string; errors name the wrong part.</summary>
internal static partial class RedisUrl
{
    private const string Mask = "****";

    public static bool TryParse(string value, [NotNullWhen(true)] out ConfigurationOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        value = value.Trim();
        if (UrlScheme().Match(value) is not { Success: true } match)
        {
            return TryParseConfigurationString(value, out options, out error);
        }

        var scheme = match.Groups["scheme"].Value.ToLowerInvariant();
        if (scheme is not ("redis" or "rediss"))
        {
            error = $"the scheme '{scheme}' is not supported; use redis:// or rediss:// (TLS)";
            return false;
        }

        // The last '@' ends the user information, so a password may hold '/', '?' or '#' unencoded.
        var rest = value[match.Length..];
        string? user = null, password = null;
        var at = rest.LastIndexOf('@');
        if (at >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            user = Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]);
            password = colon < 0 ? null : Uri.UnescapeDataString(userInfo[(colon + 1)..]);
            if (user.Length == 0)
            {
                user = null;
            }
        }

        if (rest.IndexOfAny(['?', '#']) >= 0)
        {
            error = "query strings and fragments are not supported in the URL; use a StackExchange.Redis configuration string for other settings";
            return false;
        }

        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? string.Empty : rest[(slash + 1)..];

        // Several seed nodes (Redis Cluster): host[:port],host[:port],... sharing the user information and database.
        var nodes = authority.Split(',');
        var endpoints = new List<(string Host, int Port)>(nodes.Length);
        for (var i = 0; i < nodes.Length; i++)
        {
            if (!TryParseHost(nodes[i], out var host, out var port, out error))
            {
                if (nodes.Length > 1)
                {
                    error = nodes[i].Length == 0
                        ? $"seed node {i + 1} of {nodes.Length} is empty (a comma too many in the host list)"
                        : $"seed node {i + 1} of {nodes.Length}: {error}";
                }

                return false;
            }

            endpoints.Add((host, port));
        }

        var database = 0;
        if (path.Length > 0 && !int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out database))
        {
            error = $"the database '/{path}' is not a number";
            return false;
        }

        options = new ConfigurationOptions
        {
            User = user,
            Password = password,
            DefaultDatabase = path.Length > 0 ? database : null,
            Ssl = scheme == "rediss",
        };
        foreach (var (host, port) in endpoints)
        {
            options.EndPoints.Add(host, port);
        }

        if (options.Ssl && endpoints.Count == 1)
        {
            // Several nodes: each certificate is checked against its own node's name.
            options.SslHost = endpoints[0].Host;
        }

        error = null;
        return true;
    }

    /// <summary>One <c>host[:port]</c> of the URL (an IPv6 address in brackets); the port defaults to 6379.</summary>
    private static bool TryParseHost(string authority, out string host, out int port, [NotNullWhen(false)] out string? error)
    {
        host = string.Empty;
        port = 6379;
        string? portText = null;
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = "the IPv6 address has no closing ']'";
                return false;
            }

            host = authority[1..close];
            var after = authority[(close + 1)..];
            if (after.Length > 0)
            {
                if (after[0] != ':')
                {
                    error = $"unexpected '{after}' after the IPv6 address";
                    return false;
                }

                portText = after[1..];
            }
        }
        else
        {
            var colon = authority.LastIndexOf(':');
            host = colon < 0 ? authority : authority[..colon];
            portText = colon < 0 ? null : authority[(colon + 1)..];
            if (host.Contains(':', StringComparison.Ordinal))
            {
                error = $"the host '{host}' looks like an IPv6 address: write it in brackets, e.g. redis://[::1]:6379";
                return false;
            }
        }

        if (host.Length == 0)
        {
            error = "the URL names no host";
            return false;
        }

        if (!IsHostName(host))
        {
            error = "the host holds characters no host name has (',', '=', '@', '/', spaces or control characters)";
            return false;
        }

        if (portText is not null
            && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            error = $"the port '{portText}' is not a number from 1 to 65535";
            return false;
        }

        error = null;
        return true;
    }

    /// <summary>The value with any password replaced by <c>****</c>, fit to show in errors and logs.</summary>
    public static string MaskPassword(string value)
    {
        if (UrlScheme().Match(value) is not { Success: true } match)
        {
            var masked = PasswordSetting().Replace(value, "${key}" + Mask);
            // Not a URL, yet it has user information: a mistyped URL. Hide all of it.
            var lastAt = masked.LastIndexOf('@');
            return lastAt < 0 ? masked : string.Concat(Mask, masked.AsSpan(lastAt));
        }

        var start = match.Length;
        var at = value.LastIndexOf('@');
        if (at < start)
        {
            return value;
        }

        var colon = value.IndexOf(':', start, at - start);
        return colon < 0 ? value : string.Concat(value.AsSpan(0, colon + 1), Mask, value.AsSpan(at));
    }

    /// <summary>The endpoints as <c>host:port</c>, for logs and errors: never anything else from the setting.</summary>
    public static string DescribeEndPoints(ConfigurationOptions options)
        => string.Join(",", options.EndPoints.Select(endpoint => endpoint switch
        {
            DnsEndPoint dns when dns.Port == 0 => dns.Host,
            DnsEndPoint dns => $"{dns.Host}:{dns.Port.ToString(CultureInfo.InvariantCulture)}",
            IPEndPoint ip => ip.ToString(),
            _ => endpoint.GetType().Name,
        }));

    private static bool IsHostName(string host)
        => host.Length > 0 && !host.Any(c => c is ',' or '=' or '@' or '/' or '\\' || char.IsWhiteSpace(c) || char.IsControl(c));

    private static bool TryParseConfigurationString(string value, [NotNullWhen(true)] out ConfigurationOptions? options, [NotNullWhen(false)] out string? error)
    {
        options = null;
        try
        {
            var parsed = ConfigurationOptions.Parse(value);
            if (parsed.EndPoints.Count == 0)
            {
                error = "the configuration string names no host";
                return false;
            }

            // "redis:/:secret@host" (a mistyped URL) parses as an endpoint; refuse it rather than
            // connect to nowhere and print the password as a host name.
            if (parsed.EndPoints.OfType<DnsEndPoint>().Any(e => !IsHostName(e.Host)))
            {
                error = "an endpoint is not a host name (it holds '@', '/', spaces or control characters); write host:port, or a redis:// URL";
                return false;
            }

            options = parsed;
            error = null;
            return true;
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException)
        {
            error = $"it is neither a redis:// URL nor a valid StackExchange.Redis configuration string ({MaskPassword(e.Message)})";
            return false;
        }
    }

    [GeneratedRegex(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*)://", RegexOptions.CultureInvariant)]
    private static partial Regex UrlScheme();

    [GeneratedRegex(@"(?<key>password\s*=\s*)[^,]*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PasswordSetting();
}
