using System.Security.Claims;
using Agent.Domain.Sessions;
using Agent.Web.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server.Circuits;

namespace Agent.Web.Services;

/// <summary>
/// The tenant whose data a request or circuit may see. Scoped: API handlers take it as a parameter and
/// components inject it; background executions use the tenant stored on the execution instead.
/// </summary>
public interface ICurrentTenant
{
    string TenantId { get; }
}

/// <summary>No caller is signed in and none is the loopback owner: nothing may be read or written.</summary>
public sealed class NoTenantException() : InvalidOperationException("No one is signed in: sign in (or send a personal access token) to use this.");

/// <summary>
/// The tenant of the signed-in principal: the person's (Identity cookie or OpenID Connect), the personal access token's
/// user, or "local" for the loopback owner (see <see cref="LoopbackRule"/>). In an HTTP request the principal is
/// HttpContext.User; in a Blazor circuit it is the circuit's authentication state, set when the circuit opens.
/// </summary>
public sealed class PrincipalTenant(IHttpContextAccessor http) : ICurrentTenant
{
    private ClaimsPrincipal? circuitUser;

    public ClaimsPrincipal User => circuitUser ?? http.HttpContext?.User ?? new ClaimsPrincipal(new ClaimsIdentity());

    public string TenantId => AgentClaims.TenantOf(User) ?? throw new NoTenantException();

    public bool IsAuthenticated => AgentClaims.TenantOf(User) is not null;

    public bool IsAdministrator => IsAuthenticated && User.IsInRole(AgentClaims.Administrator);

    /// <summary>The loopback owner: no sign-in, tenant "local".</summary>
    public bool IsLocalOwner => IsAuthenticated && User.HasClaim(c => c.Type == AgentClaims.LocalOwner);

    /// <summary>The Identity user id, or null for the loopback owner (and a token the owner created).</summary>
    public string? UserId => IsLocalOwner || User.FindFirst(ClaimTypes.NameIdentifier)?.Value is not { } id || id == Tenant.LocalId ? null : id;

    public string DisplayName => User.Identity?.Name ?? "";

    internal void UseCircuitUser(ClaimsPrincipal user) => circuitUser = user;
}

/// <summary>
/// Gives the circuit's <see cref="PrincipalTenant"/> the circuit's user before any component of it renders, and the new
/// one whenever it changes (revalidation turns a locked-out person anonymous: their circuit then reads nothing).
/// </summary>
public sealed class TenantCircuitHandler(PrincipalTenant tenant, AuthenticationStateProvider authentication) : CircuitHandler, IDisposable
{
    private bool following;

    public override async Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        tenant.UseCircuitUser((await authentication.GetAuthenticationStateAsync()).User);
        authentication.AuthenticationStateChanged += Follow;
        following = true;
        await base.OnCircuitOpenedAsync(circuit, cancellationToken);
    }

    public void Dispose()
    {
        if (following)
        {
            authentication.AuthenticationStateChanged -= Follow;
        }
    }

    private void Follow(Task<AuthenticationState> changed) => _ = FollowAsync(changed);

    private async Task FollowAsync(Task<AuthenticationState> changed)
    {
        try
        {
            tenant.UseCircuitUser((await changed).User);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The state could not be read: the circuit keeps no principal, so it reads nothing.
            tenant.UseCircuitUser(new ClaimsPrincipal(new ClaimsIdentity()));
        }
    }
}

/// <summary>A fixed tenant, for component tests and tools that run outside a request.</summary>
public sealed class LocalTenant : ICurrentTenant
{
    public string TenantId => Tenant.LocalId;
}
