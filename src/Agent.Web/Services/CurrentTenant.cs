using Agent.Domain.Sessions;

namespace Agent.Web.Services;

/// <summary>
/// The tenant whose data a request or circuit may see. Scoped: API handlers take it as a parameter and
/// components inject it; background executions use the tenant stored on the execution instead.
/// </summary>
public interface ICurrentTenant
{
    string TenantId { get; }
}

/// <summary>Without sign-in every caller is the single local tenant.</summary>
public sealed class LocalTenant : ICurrentTenant
{
    public string TenantId => Tenant.LocalId;
}
