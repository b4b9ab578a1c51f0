using System.Reflection;

namespace Agent.Web.Hosting;

/// <summary>Facts about this running instance that the bootstrap API reports.</summary>
public sealed record AppInfo(string Version, string ContentRoot, string DatabasePath)
{
    public static string AssemblyVersion =>
        typeof(AppInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
}
