using System.Security.Claims;
using Agent.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Agent.Web.Security;

/// <summary>Identity's principal (id, name, roles, security stamp) plus the user's tenant.</summary>
public sealed class AgentClaimsPrincipalFactory(UserManager<AgentUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AgentUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AgentUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(AgentClaims.Tenant, user.TenantId));
        return identity;
    }
}
