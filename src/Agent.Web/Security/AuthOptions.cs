namespace Agent.Web.Security;

/// <summary>The "Agent:Auth" section: who may use the app without signing in, lockout, and an optional OpenID Connect provider.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Agent:Auth";

    /// <summary>
    /// true (default): a request that arrives over loopback (127.0.0.1/::1, no forwarding header) is the machine's owner,
    /// tenant "local", without signing in. false: everyone signs in, on loopback too.
    /// </summary>
    public bool LoopbackWithoutSignIn { get; set; } = true;

    /// <summary>Failed passwords in a row before the account is locked.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 15;

    /// <summary>How long a browser session lasts without use.</summary>
    public int SessionHours { get; set; } = 8;

    /// <summary>How often an open circuit checks that its person still exists, is not locked out and has the same security stamp.</summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromMinutes(3);

    public OidcOptions Oidc { get; set; } = new();
}

/// <summary>Sign-in with an existing identity provider; off while <see cref="Authority"/> is empty.</summary>
public sealed class OidcOptions
{
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    /// <summary>The NAME of the environment variable holding the client secret (never the secret itself).</summary>
    public string? ClientSecretEnvVar { get; set; }

    /// <summary>The token claim that names the person's tenant; when absent, <see cref="DefaultTenant"/>.</summary>
    public string TenantClaim { get; set; } = "tenant";

    public string? DefaultTenant { get; set; }

    /// <summary>A value of the token's "roles" claim that makes the person an administrator.</summary>
    public string AdministratorRole { get; set; } = "administrator";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
