using Microsoft.AspNetCore.Antiforgery;

namespace Agent.Web.Security;

/// <summary>
/// Requires an antiforgery token on a form post that a browser makes with the session cookie: a multipart form is a
/// "simple" cross-site request, so another site could otherwise make a signed-in person's browser send it. A personal
/// access token (Authorization: Bearer, which no other site can attach) and the loopback owner's calls need none.
/// Antiforgery's own endpoint metadata cannot tell these callers apart, so the check is made here, as the sign-out form's is.
/// </summary>
public sealed class CookieAntiforgeryFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        if (CarriesSessionCookie(http) && !await antiforgery.IsRequestValidAsync(http))
        {
            return Results.Json(
                new { error = "The antiforgery token is missing or invalid: a browser signed in with the session cookie must send it (form field __RequestVerificationToken or header RequestVerificationToken); scripts use a personal access token instead." },
                statusCode: StatusCodes.Status400BadRequest);
        }

        return await next(context);
    }

    /// <summary>Signed in by the session cookie: neither a bearer token's caller nor the loopback owner.</summary>
    private static bool CarriesSessionCookie(HttpContext http) =>
        !AccessTokenHandler.Carries(http.Request)
        && !http.User.HasClaim(c => c.Type == AgentClaims.LocalOwner)
        && http.User.Identity?.IsAuthenticated == true;
}
