using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Data.Tests;

/// <summary>A real SQLite file in a temp folder, with the app's data services over it.</summary>
public sealed class TempDatabase : IAsyncDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "agent-data-tests", Guid.NewGuid().ToString("N"));

    public TempDatabase()
    {
        Directory.CreateDirectory(folder);
        FilePath = Path.Combine(folder, "agent.db");
    }

    public string FilePath { get; }

    /// <summary>A fresh service provider over the same file, as a restarted app would have.</summary>
    public ServiceProvider OpenServices()
    {
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddAgentData(FilePath);
        return services.BuildServiceProvider();
    }

    public async Task<ServiceProvider> OpenInitializedAsync()
    {
        var provider = OpenServices();
        await provider.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
        return provider;
    }

    public async ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        await Task.Yield();
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
