using System.Net;
using Microsoft.Extensions.Options;

namespace Agent.Web.Security;

/// <summary>
/// Decides, per request, whether the caller is the machine's owner (no sign-in). The decision is made from the
/// request's own connection, not from the binding: a server bound to 0.0.0.0 still treats a browser on this machine
/// as the owner and everyone else as a stranger who must sign in. A request that carries a forwarding header came
/// through a proxy, so its loopback connection says nothing about the person behind it: it must sign in.
/// A connection without an IP address (a Unix socket, the in-memory test server) is local to the machine.
/// A browser on this machine is the owner only for the app's own pages: a request another site makes it send
/// (Sec-Fetch-Site or an Origin other than this host) or one addressed to a name that is not this machine's (a DNS
/// rebinding page on a loopback address) is a stranger's, so a hostile page cannot act as the owner.
/// </summary>
public sealed class LoopbackRule(IOptionsMonitor<AuthOptions> options)
{
    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP"];

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

        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return false;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length == 0
            || (Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
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
        if (ForwardingHeaders.Any(h => http.Request.Headers.ContainsKey(h)))
        {
            return false;
        }

        var remote = http.Connection.RemoteIpAddress;
        return remote is null || IPAddress.IsLoopback(remote) || (remote.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(remote.MapToIPv4()));
    }
}
