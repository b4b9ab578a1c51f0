using Agent.Domain.Sessions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Agent.Data;

/// <summary>Opens the SQLite file: WAL journal, migrations applied, the local tenant present.</summary>
public sealed class AgentDatabase(IDbContextFactory<AgentDbContext> contexts, TimeProvider time)
{
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var path = db.Database.GetDbConnection().DataSource;
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            // journal_mode=WAL persists in the file: readers never block the streaming writer. With it, every connection
            // runs synchronous=NORMAL (SqlitePragmas): kill -9 loses no commit, a power cut the last ones since a checkpoint.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }

        if (!await db.Tenants.AnyAsync(t => t.Id == Tenant.LocalId, cancellationToken))
        {
            db.Tenants.Add(new Tenant(Tenant.LocalId, "Local", time.GetUtcNow()));
            await db.SaveChangesAsync(cancellationToken);
        }
    }

    /// <summary>Adds the tenant when it is new (users add --tenant T); returns whether it was created.</summary>
    public async Task<bool> EnsureTenantAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        if (await db.Tenants.AnyAsync(t => t.Id == tenantId, cancellationToken))
        {
            return false;
        }

        db.Tenants.Add(new Tenant(tenantId, tenantId, time.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>The id of the newest applied migration: the schema version.</summary>
    public async Task<string> SchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var applied = await db.Database.GetAppliedMigrationsAsync(cancellationToken);
        return applied.LastOrDefault() ?? "none";
    }

    /// <summary>Runs a trivial query; throws when the file cannot be read.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await db.Database.ExecuteSqlRawAsync("SELECT 1;", cancellationToken);
        _ = await db.Tenants.AsNoTracking().CountAsync(cancellationToken);
    }

    public static string ConnectionStringFor(string databasePath) =>
        new SqliteConnectionStringBuilder { DataSource = databasePath, Cache = SqliteCacheMode.Private, Pooling = true }.ToString();
}
