using System.Reflection;
using Agent.Domain.Configuration;

namespace Agent.Runtime.Hosting;

/// <summary>Facts about this running instance that the bootstrap API reports.</summary>
public sealed record AppInfo(string Version, string ContentRoot, string DatabasePath)
{
    /// <summary>Relative database paths are under the content root (the folder with appsettings.json).</summary>
    public static AppInfo From(IHostEnvironment environment, AgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        var path = string.IsNullOrWhiteSpace(options.Storage.DatabasePath) ? new StorageOptions().DatabasePath : options.Storage.DatabasePath;
        return new AppInfo(AssemblyVersion, environment.ContentRootPath, Path.GetFullPath(Path.Combine(environment.ContentRootPath, path)));
    }

    /// <summary>Data protection keys (antiforgery, circuits) live in the data folder beside the database.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string DataProtectionKeysPath => Path.Combine(Path.GetDirectoryName(DatabasePath) ?? ContentRoot, "keys");

    public static string AssemblyVersion =>
        typeof(AppInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
