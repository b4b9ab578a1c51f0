namespace Agent.Web.ControlPlane;

/// <summary>One admin endpoint and the body it answers with when Redis is down or unreachable.</summary>
public sealed record RuntimeAdminEndpoint(string Method, string Route, string FailureError)
{
    /// <summary>The route in the report's style (<c>:tenantId</c>, as the runtime's documentation writes it).</summary>
    public string DisplayRoute => RuntimeAdminRoutes.Prefix + Route.Replace("{", ":", StringComparison.Ordinal).Replace("}", "", StringComparison.Ordinal);
}

/// <summary>The admin API's routes and error bodies: mapped by RuntimeAdminApi and printed by the contract report.</summary>
public static class RuntimeAdminRoutes
{
    public const string Prefix = "/api/admin/runtime";
    public const string TenantConfig = "/tenants/{tenantId}/config";
    public const string MapDid = "/dids/map";
    public const string UnmapDid = "/dids/unmap";
    public const string LookupDid = "/dids/{didE164}";
    public const string Health = "/health";

    public const string PublishFailed = "runtime_publish_failed";
    public const string ConfigReadFailed = "runtime_config_read_failed";
    public const string MapFailed = "runtime_map_failed";
    public const string UnmapFailed = "runtime_unmap_failed";
    public const string LookupFailed = "runtime_lookup_failed";
    public const string HealthFailed = "runtime_health_failed";
    public const string AdminDisabled = "runtime_admin_disabled";
    public const string Unauthorized = "unauthorized";
    public const string TenantConfigNotFound = "runtime_config_not_found";
    public const string DidNotMapped = "runtime_did_not_mapped";

    public static IReadOnlyList<RuntimeAdminEndpoint> Operations { get; } =
    [
        new("POST", TenantConfig, PublishFailed),
        new("GET", TenantConfig, ConfigReadFailed),
        new("POST", MapDid, MapFailed),
        new("POST", UnmapDid, UnmapFailed),
        new("GET", LookupDid, LookupFailed),
    ];

    public static RuntimeAdminEndpoint HealthEndpoint { get; } = new("GET", Health, HealthFailed);
}
