using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Agent.Web.Security;

/// <summary>
/// <c>Authorization: Bearer pat_...</c>: the token's owner, with the roles the owner has now (a demoted administrator's
/// tokens lose the role at once; a locked-out or deleted user's tokens stop working).
/// </summary>
public sealed class AccessTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessTokenService tokens,
    UserManager<Agent.Data.AgentUser> users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public static bool Carries(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith("Bearer " + AccessTokenService.SecretPrefix, StringComparison.Ordinal);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Carries(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var secret = Request.Headers.Authorization.ToString()["Bearer ".Length..].Trim();
        if (await tokens.ValidateAsync(secret, Context.RequestAborted) is not { } token)
        {
            return AuthenticateResult.Fail("The access token is unknown or revoked.");
        }

        var claims = new List<Claim> { new(AgentClaims.Tenant, token.TenantId), new(AgentClaims.AccessTokenId, token.Id.ToString()) };
        if (token.UserId is null)
        {
            claims.AddRange(LocalOwnerHandler.CreateOwner().Claims.Where(c => c.Type is not (AgentClaims.Tenant or AgentClaims.LocalOwner)));
        }
        else
        {
            var user = await users.FindByIdAsync(token.UserId);
            if (user is null || await users.IsLockedOutAsync(user) || user.TenantId != token.TenantId)
            {
                return AuthenticateResult.Fail("The access token's user no longer exists or is locked out.");
            }

            claims.Add(new Claim(ClaimTypes.NameIdentifier, user.Id));
            claims.Add(new Claim(ClaimTypes.Name, user.UserName ?? user.Id));
            claims.AddRange((await users.GetRolesAsync(user)).Select(r => new Claim(ClaimTypes.Role, r)));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, AgentClaims.AccessTokenScheme)), AgentClaims.AccessTokenScheme));
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Response.WriteAsJsonAsync(new { error = "This needs an administrator." }, JsonSerializerOptions.Web, Context.RequestAborted);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message ?? "Send a personal access token as Authorization: Bearer.";
        await Response.WriteAsJsonAsync(new { error = failure }, JsonSerializerOptions.Web, Context.RequestAborted);
    }
}
