using System.Security.Claims;
using Agent.Data;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Agent.Web.Security;

/// <summary>
/// A circuit's sign-in is checked again every <see cref="AuthOptions.RevalidationInterval"/> (as in the .NET Identity
/// Blazor template): a person who was deleted, locked out or whose security stamp changed (new password, signed out
/// everywhere) turns anonymous in every open circuit, and the router sends them to the sign-in page.
/// The loopback owner and an identity provider's person have no Identity user to check and stay as they are.
/// </summary>
public sealed class AgentRevalidatingAuthenticationStateProvider(ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<AuthOptions> options, IOptions<IdentityOptions> identity)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        if (user.HasClaim(c => c.Type == AgentClaims.LocalOwner) || user.FindFirst(ClaimTypes.NameIdentifier)?.Value is not { } userId || userId.StartsWith("oidc:", StringComparison.Ordinal))
        {
            return true;
        }

        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
        cancellationToken.ThrowIfCancellationRequested();
        if (await users.FindByIdAsync(userId) is not { } stored || await users.IsLockedOutAsync(stored))
        {
            return false;
        }

        var stamp = user.FindFirst(identity.Value.ClaimsIdentity.SecurityStampClaimType)?.Value;
        return stamp is not null && stamp == await users.GetSecurityStampAsync(stored);
    }
}
