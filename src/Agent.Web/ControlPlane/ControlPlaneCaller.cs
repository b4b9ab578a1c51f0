using Agent.Domain.Sessions;

namespace Agent.Web.ControlPlane;

/// <summary>
/// Whom a control plane operation acts for: the holder of RUNTIME_ADMIN_TOKEN (install-wide: every tenant's config and
/// every DID), or the administrator of one tenant (only that tenant's <c>tenantcfg:</c> and DIDs mapped to it).
/// Every <see cref="RuntimeAdminService"/> operation takes one; the admin API and the Settings page decide which.
/// </summary>
public sealed record ControlPlaneCaller
{
    private ControlPlaneCaller(string? tenantId) => TenantId = tenantId;

    /// <summary>The operator's token: every tenant.</summary>
    public static ControlPlaneCaller InstallWide { get; } = new((string?)null);

    /// <summary>The one tenant a scoped caller reaches; null for <see cref="InstallWide"/>.</summary>
    public string? TenantId { get; }

    public bool IsInstallWide => TenantId is null;

    /// <summary>An administrator of <paramref name="tenantId"/> (an existing tenant: its id passed the rule of its day).</summary>
    public static ControlPlaneCaller ForTenant(string tenantId)
    {
        if (!Tenant.IsValidId(tenantId))
        {
            throw new ArgumentException($"'{tenantId}' is not a tenant id.", nameof(tenantId));
        }

        return new ControlPlaneCaller(tenantId);
    }

    /// <summary>Whether this caller may read or write <paramref name="tenantId"/>'s config and DIDs.</summary>
    public bool Reaches(string? tenantId) => IsInstallWide || string.Equals(TenantId, tenantId, StringComparison.Ordinal);

    public override string ToString() => IsInstallWide ? "install-wide" : $"tenant {TenantId}";
}
