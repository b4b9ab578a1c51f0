namespace Agent.Web.Hosting;

/// <summary>
/// Finds the folder that holds appsettings.json and wwwroot (the repository root in a checkout), so the
/// app reads the same files whether it is started by `dotnet run`, from its build output or by a test.
/// </summary>
public static class ContentRootLocator
{
    public const string EnvironmentVariable = "AGENT_CONTENT_ROOT";

    public static string Resolve(string[] args, Func<string, string?> readEnvironment)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(readEnvironment);
        var fromArgs = args.Select(a => a.StartsWith("--contentRoot=", StringComparison.OrdinalIgnoreCase) ? a["--contentRoot=".Length..] : null)
            .LastOrDefault(a => a is not null);
        if (!string.IsNullOrWhiteSpace(fromArgs))
        {
            return Path.GetFullPath(fromArgs);
        }

        if (readEnvironment(EnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return Path.GetFullPath(fromEnvironment);
        }

        return FindUpwards(Directory.GetCurrentDirectory()) ?? FindUpwards(AppContext.BaseDirectory) ?? Directory.GetCurrentDirectory();
    }

    private static string? FindUpwards(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "appsettings.json")) && Directory.Exists(Path.Combine(dir.FullName, "wwwroot")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}
