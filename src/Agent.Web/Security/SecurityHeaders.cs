namespace Agent.Web.Security;

/// <summary>
/// Response headers that keep hostile content (model output, tool results, uploads) from running as script, being
/// sniffed into another type, framing the app or leaking the address. The Content-Security-Policy fits Blazor Server
/// and MudBlazor: scripts only from this site (no inline script, no eval), inline styles because MudBlazor sets
/// style attributes, the circuit's WebSocket to this host, images and played-back voice from data:/blob: URLs.
/// </summary>
public static class SecurityHeaders
{
    public static string ContentSecurityPolicy(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // 'self' covers same-origin ws/wss in CSP Level 3 browsers; the explicit host keeps older ones connecting too.
        var socket = request.Host.HasValue ? $" ws://{request.Host.Value} wss://{request.Host.Value}" : "";
        return string.Join("; ",
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "media-src 'self' blob:",
            "connect-src 'self'" + socket,
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'");
    }

    public static Task AddAsync(HttpContext http, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(next);
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy(http.Request);
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // same-origin, not no-referrer: no address leaves for another site either way, and under no-referrer a browser sends
        // "Origin: null" with the app's own form posts, which the request guard cannot tell from a hostile page's.
        headers["Referrer-Policy"] = "same-origin";
        return next(http);
    }
}
