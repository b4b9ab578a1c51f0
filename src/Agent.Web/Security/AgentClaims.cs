using System.Security.Claims;

namespace Agent.Web.Security;

/// <summary>Claim types, roles and scheme names of the app's principals.</summary>
public static class AgentClaims
{
    /// <summary>The tenant whose data the principal sees; every principal the app accepts carries exactly one.</summary>
    public const string Tenant = "agent:tenant";

    /// <summary>Present on the loopback owner's principal (no sign-in, tenant "local").</summary>
    public const string LocalOwner = "agent:local-owner";

    /// <summary>Present when the request came with a personal access token: its id.</summary>
    public const string AccessTokenId = "agent:access-token";

    public const string Administrator = "administrator";
    public const string Member = "member";

    /// <summary>The scheme every request is authenticated with; it forwards to one of the three below.</summary>
    public const string Scheme = "Agent";
    public const string LocalScheme = "LocalOwner";
    public const string AccessTokenScheme = "AccessToken";
    public const string OidcScheme = "oidc";

    public const string AdministratorPolicy = "administrator";

    public static string? TenantOf(ClaimsPrincipal? user) =>
        user?.Identity?.IsAuthenticated == true && user.FindFirst(Tenant)?.Value is { Length: > 0 } tenant ? tenant : null;

    public static bool IsValidTenantId(string? tenantId) => Domain.Sessions.Tenant.IsValidId(tenantId);
}
