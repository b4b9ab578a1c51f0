using System.Net;
using System.Net.Sockets;

namespace Agent.Runtime.Tools;

/// <summary>fetch_url (or an imported MCP server) asked for an address this server must not reach.</summary>
public sealed class FetchRefusedException(string message) : HttpRequestException(message);

/// <summary>
/// The SSRF guard of fetch_url: the host is resolved by us and every address it resolves to is checked before a
/// socket is opened, on the first request and on every redirect (each one connects through here), so neither a
/// hostname that resolves to 127.0.0.1, an IP in another notation (2130706433, 0x7f000001, 127.1, [::ffff:127.0.0.1])
/// nor a public page that redirects inward reaches this machine, its link-local metadata service or the private
/// network. A host with any refused address is refused whole (a DNS answer mixing public and private addresses is a
/// rebinding attempt). No proxy is used: it would connect on our behalf, past the check. Imported HTTP/SSE MCP servers
/// connect through the same guard (<see cref="ForMcp"/>), with their own allow-list setting.
/// </summary>
/// <param name="allowed">Networks reachable although they are in a refused range.</param>
/// <param name="refuser">Who refuses, as the error says it ("fetch_url").</param>
/// <param name="allowSetting">The setting that allows a network, named in the error.</param>
public sealed class FetchGuard(IEnumerable<IPNetwork> allowed, string refuser = "fetch_url", string allowSetting = "Agent:Tools:FetchAllowedNetworks")
{
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"), IPNetwork.Parse("127.0.0.0/8"),
        IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"),
        IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"), IPNetwork.Parse("203.0.113.0/24"),
        IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("64:ff9b::/96"), IPNetwork.Parse("100::/64"), IPNetwork.Parse("2001:db8::/32"),
        IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    private readonly IPNetwork[] allowedNetworks = [.. allowed];

    public static FetchGuard FromConfig(IEnumerable<string> allowedNetworks) => new(allowedNetworks.Select(n => IPNetwork.Parse(n)));

    /// <summary>The guard of imported HTTP/SSE MCP servers: Agent:Mcp:AllowedNetworks is its allow-list.</summary>
    public static FetchGuard ForMcp(IEnumerable<string> allowedNetworks) =>
        new(allowedNetworks.Select(n => IPNetwork.Parse(n)), "The MCP network guard", "Agent:Mcp:AllowedNetworks");

    public bool IsAllowed(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return allowedNetworks.Any(n => n.Contains(address)) || !Refused.Any(n => n.Contains(address));
    }

    /// <summary>The handler of the fetch_url HttpClient: every connection, redirects included, is made by <see cref="ConnectAsync"/>.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        UseProxy = false,
        AllowAutoRedirect = true,
        MaxAutomaticRedirections = 5,
        ConnectCallback = ConnectAsync,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
    };

    /// <summary>Resolves <paramref name="host"/> (a name or an IP literal) and returns its addresses, or throws <see cref="FetchRefusedException"/> when any is refused.</summary>
    /// <exception cref="System.Net.Sockets.SocketException">The name does not resolve.</exception>
    public async Task<IPAddress[]> ResolveAllowedAsync(string host, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(host);
        var bare = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;
        var addresses = IPAddress.TryParse(bare, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(bare, cancellationToken);
        var refused = addresses.Where(a => !IsAllowed(a)).ToList();
        if (addresses.Length == 0 || refused.Count > 0)
        {
            throw new FetchRefusedException(
                $"{refuser} refuses {host}: it resolves to {string.Join(", ", refused.Count > 0 ? refused : addresses.ToList())}, a loopback, link-local, private or reserved address (allow a network in {allowSetting}).");
        }

        return addresses;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAllowedAsync(context.DnsEndPoint.Host, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
