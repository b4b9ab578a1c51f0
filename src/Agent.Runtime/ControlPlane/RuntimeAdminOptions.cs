using System.Security.Cryptography;
using System.Text;
using Agent.Runtime.Hosting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Agent.Runtime.ControlPlane;

/// <summary>One environment variable of the control plane, with the sentence the generated report prints for it.</summary>
public sealed record RuntimeEnvironmentVariable(string Name, string Description);

/// <summary>The control plane's environment flags, read through <see cref="EnvironmentVariables"/> and validated at start.</summary>
public sealed class RuntimeAdminOptions
{
    public const string RedisUrlVariable = "REDIS_URL";
    public const string EnableAdminVariable = "ENABLE_RUNTIME_ADMIN";
    public const string AllowSecretReadVariable = "ALLOW_RUNTIME_SECRET_READ";
    public const string AdminTokenVariable = "RUNTIME_ADMIN_TOKEN";

    public static IReadOnlyList<RuntimeEnvironmentVariable> Variables { get; } =
    [
        new(RedisUrlVariable, "Redis connection URL used by the runtime publisher (for example `redis://127.0.0.1:6379`, `rediss://` for TLS, `redis://:password@host:6379/0`). Also the source of tenant caps for admission; without it admission uses `Agent:Caps`."),
        new(EnableAdminVariable, $"Enables runtime admin endpoints (`true`/`false`, default false); if true and `{RedisUrlVariable}` is missing, the server exits on startup (exit code 2) with a message naming both."),
        new(AllowSecretReadVariable, "Allows `?includeSecrets=1` to return `webhookSecret` from admin endpoints (`true`/`false`, default false); otherwise it is `\"REDACTED\"` or absent."),
        new(AdminTokenVariable, "Bearer token every admin request must present (`Authorization: Bearer <token>`, else 401 `{ \"error\": \"unauthorized\" }`); with no token set, admin stays disabled (503) even if `ENABLE_RUNTIME_ADMIN` is true, and start-up logs say so."),
    ];

    public bool EnableRuntimeAdmin { get; set; }

    public bool AllowSecretRead { get; set; }

    public string? RedisUrl { get; set; }

    public string? AdminToken { get; set; }

    /// <summary>Flag values that are neither true nor false, by variable name; reported at start.</summary>
    public List<string> Problems { get; } = [];

    public bool RedisConfigured => !string.IsNullOrWhiteSpace(RedisUrl);

    public bool HasToken => !string.IsNullOrWhiteSpace(AdminToken);

    /// <summary>Admin answers only when the flag is on, a token is set and Redis is configured.</summary>
    public bool AdminEnabled => EnableRuntimeAdmin && HasToken && RedisConfigured;

    /// <summary>
    /// Why admin does not answer, one entry per variable still to set (the same reasons start-up logs); empty when
    /// admin is enabled. The Settings page names them.
    /// </summary>
    public IReadOnlyList<RuntimeEnvironmentVariable> MissingForAdmin
    {
        get
        {
            var missing = new List<RuntimeEnvironmentVariable>();
            if (!EnableRuntimeAdmin)
            {
                missing.Add(new(EnableAdminVariable, $"{EnableAdminVariable} is not true"));
            }

            if (!HasToken)
            {
                missing.Add(new(AdminTokenVariable, $"{AdminTokenVariable} is not set"));
            }

            if (!RedisConfigured)
            {
                missing.Add(new(RedisUrlVariable, $"{RedisUrlVariable} is not set"));
            }

            return missing;
        }
    }

    public void Load(EnvironmentVariables environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        RedisUrl = Blank(environment.Read(RedisUrlVariable));
        AdminToken = Blank(environment.Read(AdminTokenVariable));
        EnableRuntimeAdmin = Flag(environment, EnableAdminVariable);
        AllowSecretRead = Flag(environment, AllowSecretReadVariable);
    }

    /// <summary>Constant-time comparison of an Authorization header with <c>Bearer {token}</c>.</summary>
    public bool IsAuthorized(string? authorizationHeader)
    {
        if (!HasToken || authorizationHeader is null || !authorizationHeader.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorizationHeader["Bearer ".Length..].Trim()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(AdminToken!));
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }

    private bool Flag(EnvironmentVariables environment, string name)
    {
        var value = environment.Read(name)?.Trim();
        switch (value?.ToUpperInvariant())
        {
            case null or "" or "FALSE" or "0" or "NO" or "OFF":
                return false;
            case "TRUE" or "1" or "YES" or "ON":
                return true;
            default:
                Problems.Add($"{name}: '{value}' is not a boolean. Fix: set {name}=true or {name}=false.");
                return false;
        }
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}

/// <summary>Stops start-up (exit code 2, through StartupFailure) when the control plane's flags contradict each other.</summary>
public sealed class RuntimeAdminOptionsValidation : IValidateOptions<RuntimeAdminOptions>
{
    public ValidateOptionsResult Validate(string? name, RuntimeAdminOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>(options.Problems);
        if (options.EnableRuntimeAdmin && !options.RedisConfigured)
        {
            failures.Add($"{RuntimeAdminOptions.EnableAdminVariable} is true but {RuntimeAdminOptions.RedisUrlVariable} is not set. " +
                $"Fix: set {RuntimeAdminOptions.RedisUrlVariable} (for example redis://127.0.0.1:6379) or set {RuntimeAdminOptions.EnableAdminVariable}=false.");
        }

        if (options.RedisConfigured && !RedisUrl.TryParse(options.RedisUrl!, out _, out var problem))
        {
            failures.Add($"{RuntimeAdminOptions.RedisUrlVariable}: {problem} Fix: use redis://host:port (or rediss:// for TLS).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>Reads <c>redis://[[user]:password@]host[:port][/db]</c> (or <c>rediss://</c> for TLS) into StackExchange.Redis options.</summary>
public static class RedisUrl
{
    public const int DefaultPort = 6379;

    public static bool TryParse(string url, out ConfigurationOptions? options, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(url);
        options = null;
        // Never echo the URL: it may carry a password.
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(uri.Host))
        {
            problem = "the value is not a redis:// or rediss:// URL with a host.";
            return false;
        }

        var database = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out database) || database > 15))
        {
            problem = "the path must be a database number (0-15) or empty.";
            return false;
        }

        options = new ConfigurationOptions { Ssl = uri.Scheme == "rediss", DefaultDatabase = database };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = colon < 0 ? "" : Uri.UnescapeDataString(uri.UserInfo[..colon]);
            var password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
            options.User = user.Length > 0 ? user : null;
            options.Password = password.Length > 0 ? password : null;
        }

        problem = null;
        return true;
    }

    /// <summary>host:port for logs, never the password.</summary>
    public static string Describe(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Host}:{(uri.IsDefaultPort || uri.Port < 0 ? DefaultPort : uri.Port)}" : "(unparsable)";
}
