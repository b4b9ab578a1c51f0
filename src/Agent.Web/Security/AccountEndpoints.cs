using Agent.Data;
using Agent.Web.Services;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Agent.Web.Security;

public sealed record CreateAccessTokenRequest(string? Name);

public sealed record AccessTokenDto(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt)
{
    public static AccessTokenDto From(Domain.Security.AccessToken t) => new(t.Id, t.Name, t.Prefix, t.CreatedAt, t.LastUsedAt, t.RevokedAt);
}

/// <summary>Completing a sign-in (sets the cookie), signing out, OpenID Connect, and the caller's personal access tokens.</summary>
public static class AccountEndpoints
{
    public const string SignInPath = "/signin";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/account").AllowAnonymous();

        account.MapGet("/complete-signin", async (string? ticket, string? returnUrl, SignInService signIn, SignInManager<AgentUser> manager) =>
        {
            if (await signIn.RedeemAsync(ticket) is not { } user)
            {
                return Results.Redirect($"{SignInPath}?error=expired");
            }

            await manager.SignInAsync(user, isPersistent: false);
            return Results.LocalRedirect(SafeReturnUrl(returnUrl));
        });

        account.MapPost("/signout", async (HttpContext http, IAntiforgery antiforgery) =>
        {
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return Results.Json(new { error = "The sign-out form's antiforgery token is missing or invalid; reload the page and try again." }, statusCode: StatusCodes.Status400BadRequest);
            }

            await http.SignOutAsync(IdentityConstants.ApplicationScheme);
            return Results.Redirect(SignInPath);
        });

        account.MapGet("/oidc", (string? returnUrl, IOptions<AuthOptions> options) =>
            options.Value.Oidc.Enabled
                ? Results.Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl(returnUrl) }, [AgentClaims.OidcScheme])
                : Results.Json(new { error = "OpenID Connect is not configured (Agent:Auth:Oidc:Authority)." }, statusCode: StatusCodes.Status404NotFound));

        var tokens = endpoints.MapGroup("/api/access-tokens").RequireAuthorization();
        tokens.MapGet("", async (PrincipalTenant caller, AccessTokenService service, CancellationToken ct) =>
            Results.Ok((await service.ListAsync(caller.TenantId, caller.UserId, ct)).Select(AccessTokenDto.From)));

        tokens.MapPost("", async (CreateAccessTokenRequest? body, PrincipalTenant caller, AccessTokenService service, CancellationToken ct) =>
        {
            try
            {
                var created = await service.CreateAsync(caller.TenantId, caller.UserId, body?.Name ?? "", ct);
                return Results.Created($"/api/access-tokens/{created.Token.Id}", new { token = AccessTokenDto.From(created.Token), secret = created.Secret });
            }
            catch (ArgumentException ex)
            {
                return Results.Json(new { error = ex.Message }, statusCode: StatusCodes.Status400BadRequest);
            }
        });

        tokens.MapDelete("/{id:guid}", async (Guid id, PrincipalTenant caller, AccessTokenService service, CancellationToken ct) =>
            await service.RevokeAsync(caller.TenantId, caller.UserId, id, ct)
                ? Results.NoContent()
                : Results.Json(new { error = $"Access token {id} does not exist." }, statusCode: StatusCodes.Status404NotFound));

        return endpoints;
    }

    /// <summary>Only a path on this site: an absolute or protocol-relative URL would make the sign-in an open redirect.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal) ? url : "/";
}
