using System.Net;
using Microsoft.Extensions.Options;

namespace Agent.Web.Security;

/// <summary>
/// Decides, per request, whether the caller is the machine's owner (no sign-in). The decision is made from the
/// request's own connection, not from the binding: a server bound to 0.0.0.0 still treats a browser on this machine
/// as the owner and everyone else as a stranger who must sign in. A request that carries a forwarding header came
/// through a proxy, so its loopback connection says nothing about the person behind it: it must sign in.
/// A connection without an IP address (a Unix socket, the in-memory test server) is local to the machine.
/// </summary>
public sealed class LoopbackRule(IOptionsMonitor<AuthOptions> options)
{
    private static readonly string[] ForwardingHeaders = ["Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Real-IP"];

    public bool IsOwner(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return options.CurrentValue.LoopbackWithoutSignIn && IsLoopbackConnection(http);
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
