using Agent.Data;
using Agent.Runtime.Hosting;

namespace Agent.Web.Hosting;

/// <summary>Applies migrations before the server accepts requests (runs after options validation).</summary>
public sealed class DatabaseStartup(AgentDatabase database, AppInfo app, ILogger<DatabaseStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await database.InitializeAsync(cancellationToken);
        logger.LogInformation("Database ready at {DatabasePath}, schema {SchemaVersion}", app.DatabasePath, await database.SchemaVersionAsync(cancellationToken));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
