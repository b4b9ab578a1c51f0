using System.Net;
using Microsoft.Extensions.Options;

namespace Agent.Web.Security;

/// <summary>
/// Decides, per request, whether the caller is the machine's owner (no sign-in). The decision is made from the
/// request's own connection, not from the binding: a server bound to 0.0.0.0 still treats a browser on this machine
/// as the owner and everyone else as a stranger who must sign in. A request that carries any proxy header came
/// through a proxy, so its loopback connection says nothing about the person behind it: it must sign in.
/// A connection without an IP address (a Unix socket, the in-memory test server) is local to the machine.
/// A browser on this machine is the owner only for the app's own pages: a request another site makes it send
/// (Sec-Fetch-Site or an Origin other than this host) or one addressed to a name that is not this machine's (a DNS
/// rebinding page on a loopback address) is a stranger's, so a hostile page cannot act as the owner.
/// </summary>
public sealed class LoopbackRule(IOptionsMonitor<AuthOptions> options)
{
    /// <summary>Headers proxies and CDNs add; any of them (or any X-Forwarded-* / X-Original-* header) means a proxy stands between.</summary>
    private static readonly HashSet<string> ProxyHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Forwarded", "Via", "X-Real-IP", "X-Client-IP", "Client-IP", "True-Client-IP", "CF-Connecting-IP", "CF-Ray", "Fastly-Client-IP",
        "X-Cluster-Client-IP", "X-Originating-IP", "X-ProxyUser-Ip", "X-Host", "X-ARR-ClientCert", "X-Azure-ClientIP", "X-Azure-FDID",
    };

    public bool IsOwner(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return options.CurrentValue.LoopbackWithoutSignIn && IsLoopbackConnection(http) && IsFromThisApp(http.Request);
    }

    /// <summary>Whether the request names this machine and, when a browser says where it came from, came from this app.</summary>
    public static bool IsFromThisApp(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Host.HasValue && !IsThisMachine(request.Host.Host))
        {
            return false;
        }

        return RequestGuard.IsSameOrigin(request);
    }

    private static bool IsThisMachine(string host)
    {
        var name = host.Trim('[', ']');
        return IPAddress.TryParse(name, out var address)
            ? IPAddress.IsLoopback(address) || (address.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(address.MapToIPv4()))
            : name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
              || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
              || name.Equals(Dns.GetHostName(), StringComparison.OrdinalIgnoreCase);
    }

    public static bool IsLoopbackConnection(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (CameThroughProxy(http.Request))
        {
            return false;
        }

        var remote = http.Connection.RemoteIpAddress;
        return remote is null || IPAddress.IsLoopback(remote) || (remote.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(remote.MapToIPv4()));
    }

    /// <summary>Whether the request carries any header a proxy adds: then its loopback connection says nothing about who sent it.</summary>
    public static bool CameThroughProxy(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Headers.Keys.Any(name => ProxyHeaders.Contains(name)
            || name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("X-Original-", StringComparison.OrdinalIgnoreCase));
    }
}
