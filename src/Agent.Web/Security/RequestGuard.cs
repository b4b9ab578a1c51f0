using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Net.Http.Headers;

namespace Agent.Web.Security;

/// <summary>
/// The one rule for every state-changing request, as middleware so that a route added anywhere is covered without
/// being listed (<c>RequestGuardTests</c> enumerates the endpoints to prove it):
/// <list type="number">
/// <item>A browser request (it carries an Origin or Sec-Fetch-Site header) that changes state, opens a WebSocket, reaches
/// the Blazor hub or asks for server-sent events must come from this app's own origin (Sec-Fetch-Site same-origin, else an
/// Origin with the same scheme, host and port), since another port of the same host is the same <em>site</em> and gets
/// the cookies. Otherwise 403 <c>{"error": "cross-origin request refused"}</c>.</item>
/// <item>A state-changing /api request with a body sends JSON, or what its endpoint declares it accepts (a recording,
/// multipart, named with <see cref="AcceptedBodyTypes"/>); anything else (text/plain and forms, which a page on another site can send without asking) is 415.</item>
/// <item>A state-changing /api request signed in by the session cookie carries the antiforgery token too (header
/// <c>RequestVerificationToken</c>), so a browser that sends no Origin cannot be made to act either.</item>
/// </list>
/// A personal access token (Authorization: Bearer, which no other site can attach) is exempt from 1 and 3, and so is
/// a request with no cookie and no browser header (the owner's own curl on loopback): neither is a browser acting for
/// someone. A bodyless POST (Content-Length 0) passes 2.
/// </summary>
public sealed partial class RequestGuard(IAntiforgery antiforgery, ILogger<RequestGuard> logger)
{
    public const string CrossOriginRefused = "cross-origin request refused";

    public async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(next);
        var request = http.Request;
        var changesState = ChangesState(request.Method);
        var bearer = request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);
        if (!bearer && (changesState || OpensStream(http)) && !IsSameOrigin(request))
        {
            CrossOriginRefusedLog(logger, request.Method, request.Path, request.Headers.Origin.ToString(), request.Headers["Sec-Fetch-Site"].ToString());
            await RefuseAsync(http, StatusCodes.Status403Forbidden, CrossOriginRefused);
            return;
        }

        if (changesState && request.Path.StartsWithSegments("/api"))
        {
            if (UnacceptedContentType(http) is { } contentProblem)
            {
                await RefuseAsync(http, StatusCodes.Status415UnsupportedMediaType, contentProblem);
                return;
            }

            if (SignedInByCookie(http) && !await HasValidTokenAsync(http))
            {
                await RefuseAsync(http, StatusCodes.Status400BadRequest,
                    "The antiforgery token is missing or invalid: a browser signed in with the session cookie must send it (header RequestVerificationToken); scripts use a personal access token instead.");
                return;
            }
        }

        await next(http);
    }

    /// <summary>The antiforgery check; a form too malformed to read for its token field fails it instead of throwing.</summary>
    private async Task<bool> HasValidTokenAsync(HttpContext http)
    {
        try
        {
            return await antiforgery.IsRequestValidAsync(http);
        }
        catch (Exception ex) when (ex is AntiforgeryValidationException or InvalidDataException or IOException or BadHttpRequestException)
        {
            return false;
        }
    }

    public static bool ChangesState(string method) =>
        !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));

    /// <summary>
    /// Whether a browser says this request comes from the app's own origin; a request without browser headers passes
    /// (a script, or a browser too old to send them, which the antiforgery token then covers).
    /// </summary>
    public static bool IsSameOrigin(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);

        // The browser's own verdict comes first: pages cannot set Sec-Fetch-Site. Browsers send it only to secure origins
        // (https, localhost), so on plain http elsewhere the Origin decides.
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        // Behind a proxy the browser's origin is the proxy's: X-Forwarded-Proto/-Host say what it was. A page cannot add
        // these headers to a request it makes cross-site without a CORS preflight, which this app never grants.
        var scheme = FirstForwarded(request, "X-Forwarded-Proto") ?? request.Scheme;
        var host = FirstForwarded(request, "X-Forwarded-Host") ?? request.Host.Value;
        return Uri.TryCreate(origin, UriKind.Absolute, out var from)
            && string.Equals(from.Scheme, scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(from.Authority, host, StringComparison.OrdinalIgnoreCase)
            && from.AbsolutePath == "/";
    }

    private static string? FirstForwarded(HttpRequest request, string header) =>
        request.Headers[header].ToString().Split(',')[0].Trim() is { Length: > 0 } value ? value : null;

    /// <summary>Whether the request carries nothing a browser adds by itself: no cookie, no Origin, no Sec-Fetch-* header.</summary>
    public static bool IsScriptClient(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return !request.Headers.ContainsKey(HeaderNames.Cookie)
            && !request.Headers.ContainsKey(HeaderNames.Origin)
            && !request.Headers.Keys.Any(k => k.StartsWith("Sec-Fetch-", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Signed in by the session cookie: neither a bearer token's caller nor the loopback owner.</summary>
    public static bool SignedInByCookie(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        return !AccessTokenHandler.Carries(http.Request)
            && !http.User.HasClaim(c => c.Type == AgentClaims.LocalOwner)
            && http.User.Identity?.IsAuthenticated == true;
    }

    /// <summary>A WebSocket, the Blazor hub (its negotiate and long-polling calls too) or an event stream: read with the cookie like a page.</summary>
    private static bool OpensStream(HttpContext http) =>
        http.WebSockets.IsWebSocketRequest
        || http.Request.Path.StartsWithSegments("/_blazor")
        || http.Request.Headers.Accept.ToString().Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);

    private static string? UnacceptedContentType(HttpContext http)
    {
        var request = http.Request;
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);
        if (!hasBody)
        {
            return null;
        }

        IReadOnlyList<string> accepted = http.GetEndpoint()?.Metadata.GetMetadata<AcceptedBodyTypes>()?.ContentTypes ?? [System.Net.Mime.MediaTypeNames.Application.Json];
        var sent = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? type.MediaType.Value : null;
        return sent is not null && accepted.Any(a => string.Equals(a, sent, StringComparison.OrdinalIgnoreCase))
            ? null
            : $"The body must be sent as {string.Join(" or ", accepted)}; it was '{request.ContentType}'.";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cross-origin request refused: {Method} {Path} from Origin '{Origin}', Sec-Fetch-Site '{FetchSite}'")]
    private static partial void CrossOriginRefusedLog(ILogger logger, string method, string path, string origin, string fetchSite);

    private static Task RefuseAsync(HttpContext http, int status, string error)
    {
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { error }, http.RequestAborted);
    }
}

/// <summary>
/// The body types a state-changing API route takes when it is not JSON, for <see cref="RequestGuard"/>. Not the
/// framework's <c>Accepts</c> metadata: routing would then answer a wrong type itself with an empty 415, before the guard
/// or the handler could say which types are accepted.
/// </summary>
public sealed record AcceptedBodyTypes(IReadOnlyList<string> ContentTypes);
