using System.Net;
using Agent.Web.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Agent.Web.Tests;

/// <summary>
/// Who the loopback owner is: a request on a loopback connection, addressed to this machine, not sent on behalf of
/// another site (a hostile page in the owner's browser, or a DNS-rebinding name pointing at 127.0.0.1).
/// </summary>
public sealed class LoopbackRuleTests
{
    private static readonly LoopbackRule Rule = new(new StaticMonitor(new AuthOptions()));

    public static TheoryData<string, string?, string?, string?, bool> Requests => new()
    {
        // host, Sec-Fetch-Site, Origin, forwarded-for, owner?
        { "127.0.0.1:5000", null, null, null, true },
        { "localhost:5000", "same-origin", "http://localhost:5000", null, true },
        { "[::1]:5000", "none", null, null, true },
        { "app.localhost:5000", "same-origin", null, null, true },
        { "127.0.0.1:5000", "cross-site", "https://evil.example", null, false },
        { "127.0.0.1:5000", "same-site", "http://127.0.0.1:3000", null, false },
        { "127.0.0.1:5000", null, "https://evil.example", null, false },
        { "127.0.0.1:5000", null, "null", null, false },
        { "rebound.evil.example:5000", "same-origin", "http://rebound.evil.example:5000", null, false },
        { "127.0.0.1:5000", null, null, "203.0.113.9", false },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Only_this_apps_own_requests_on_this_machine_are_the_owners(string host, string? fetchSite, string? origin, string? forwardedFor, bool owner)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        http.Request.Scheme = "http";
        http.Request.Host = HostString.FromUriComponent(host);
        if (fetchSite is not null)
        {
            http.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        }

        if (origin is not null)
        {
            http.Request.Headers.Origin = origin;
        }

        if (forwardedFor is not null)
        {
            http.Request.Headers["X-Forwarded-For"] = forwardedFor;
        }

        Assert.Equal(owner, Rule.IsOwner(http));
    }

    [Fact]
    public void A_connection_from_another_address_is_never_the_owner()
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Parse("192.0.2.7");
        http.Request.Host = new HostString("127.0.0.1", 5000);
        Assert.False(Rule.IsOwner(http));
    }

    [Theory]
    [InlineData("Forwarded", "for=203.0.113.9")]
    [InlineData("X-Forwarded-For", "203.0.113.9")]
    [InlineData("X-Forwarded-Host", "evil.example")]
    [InlineData("X-Forwarded-Proto", "https")]
    [InlineData("X-Forwarded-Port", "443")]
    [InlineData("X-Real-IP", "203.0.113.9")]
    [InlineData("X-Client-IP", "203.0.113.9")]
    [InlineData("True-Client-IP", "203.0.113.9")]
    [InlineData("CF-Connecting-IP", "203.0.113.9")]
    [InlineData("Fastly-Client-IP", "203.0.113.9")]
    [InlineData("X-Cluster-Client-IP", "203.0.113.9")]
    [InlineData("X-Original-For", "203.0.113.9")]
    [InlineData("Via", "1.1 proxy")]
    public void Any_proxy_header_means_the_request_is_not_the_owners(string header, string value)
    {
        var http = new DefaultHttpContext();
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        http.Request.Scheme = "http";
        http.Request.Host = new HostString("127.0.0.1", 5000);
        Assert.True(Rule.IsOwner(http));

        http.Request.Headers[header] = value;
        Assert.False(Rule.IsOwner(http));
    }

    [Theory]
    [InlineData("http", "127.0.0.1:5000", "http://127.0.0.1:5000", null, null, null, true)]
    [InlineData("http", "127.0.0.1:5000", "http://127.0.0.1:3000", null, null, null, false)]
    [InlineData("http", "127.0.0.1:5000", "https://127.0.0.1:5000", null, null, null, false)]
    [InlineData("http", "127.0.0.1:5000", "http://localhost:5000", null, null, null, false)]
    [InlineData("http", "127.0.0.1:5000", "null", null, null, null, false)]
    [InlineData("http", "127.0.0.1:5000", "null", "same-origin", null, null, true)]
    [InlineData("http", "127.0.0.1:5000", "http://127.0.0.1:5000", "same-site", null, null, false)]
    [InlineData("http", "app:8080", "https://chat.example", null, "https", "chat.example", true)]
    [InlineData("http", "app:8080", "https://evil.example", null, "https", "chat.example", false)]
    public void Same_origin_is_the_browsers_verdict_or_the_same_scheme_host_and_port_as_the_browser_reached(
        string scheme, string host, string origin, string? fetchSite, string? forwardedProto, string? forwardedHost, bool same)
    {
        var http = new DefaultHttpContext();
        http.Request.Scheme = scheme;
        http.Request.Host = HostString.FromUriComponent(host);
        http.Request.Headers.Origin = origin;
        if (fetchSite is not null)
        {
            // A page under Referrer-Policy: no-referrer posts with "Origin: null"; where the browser sends Sec-Fetch-Site, that decides.
            http.Request.Headers["Sec-Fetch-Site"] = fetchSite;
        }

        if (forwardedProto is not null)
        {
            http.Request.Headers["X-Forwarded-Proto"] = forwardedProto;
            http.Request.Headers["X-Forwarded-Host"] = forwardedHost;
        }

        Assert.Equal(same, RequestGuard.IsSameOrigin(http.Request));
    }

    private sealed class StaticMonitor(AuthOptions value) : IOptionsMonitor<AuthOptions>
    {
        public AuthOptions CurrentValue => value;

        public AuthOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AuthOptions, string?> listener) => null;
    }
}
