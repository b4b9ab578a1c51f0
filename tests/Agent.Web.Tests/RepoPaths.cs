namespace Agent.Web.Tests;

public static class RepoPaths
{
    /// <summary>The checkout's root: the folder with Agent.sln, appsettings.json and wwwroot.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The app's build output next to this test's (Agent.Web.dll and its apphost).</summary>
    public static string AppHost => Path.Combine(AppContext.BaseDirectory, "Agent.Web");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Agent.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Agent.sln not found above " + AppContext.BaseDirectory);
    }
}
