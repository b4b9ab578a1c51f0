using Agent.Runtime.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>The real app host in-process, on its own temp SQLite file, with a controllable environment.</summary>
public sealed class AgentAppFactory : WebApplicationFactory<Program>
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "agent-web-tests", Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> settings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> environment = new(StringComparer.Ordinal);
    private readonly List<Action<IServiceCollection>> extraServices = [];

    public AgentAppFactory()
    {
        Directory.CreateDirectory(folder);
        DatabasePath = Path.Combine(folder, "agent.db");
        settings["Agent:Storage:DatabasePath"] = DatabasePath;
    }

    public string DatabasePath { get; }

    public AgentAppFactory WithSetting(string key, string? value)
    {
        settings[key] = value;
        return this;
    }

    /// <summary>Adds to the host's services after the app's own (for example an in-memory telemetry exporter).</summary>
    public AgentAppFactory WithServices(Action<IServiceCollection> configure)
    {
        extraServices.Add(configure);
        return this;
    }

    /// <summary>Simulates an environment variable for the app only (the test process is not changed).</summary>
    public AgentAppFactory WithEnvironmentVariable(string name, string? value)
    {
        environment[name] = value;
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseContentRoot(RepoPaths.Root);
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            services.AddSingleton(new EnvironmentVariables(name => environment.TryGetValue(name, out var value) ? value : null));
            foreach (var configure in extraServices)
            {
                configure(services);
            }
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
