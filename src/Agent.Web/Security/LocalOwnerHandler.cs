using System.Security.Claims;
using System.Text.Encodings.Web;
using Agent.Domain.Sessions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Agent.Web.Security;

/// <summary>
/// The loopback owner: on a loopback request (see <see cref="LoopbackRule"/>) a signed-in person stays who they are;
/// otherwise the caller is the owner of tenant "local", an administrator, exactly as before sign-in existed.
/// </summary>
public sealed class LocalOwnerHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, LoopbackRule loopback)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public static ClaimsPrincipal CreateOwner() => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, Tenant.LocalId),
            new Claim(ClaimTypes.Name, "local owner"),
            new Claim(AgentClaims.Tenant, Tenant.LocalId),
            new Claim(AgentClaims.LocalOwner, "true"),
            new Claim(ClaimTypes.Role, AgentClaims.Administrator),
        ],
        AgentClaims.LocalScheme));

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var signedIn = await Context.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (signedIn.Succeeded)
        {
            return signedIn;
        }

        return loopback.IsOwner(Context)
            ? AuthenticateResult.Success(new AuthenticationTicket(CreateOwner(), AgentClaims.LocalScheme))
            : AuthenticateResult.NoResult();
    }
}
