using Agent.Data;
using Agent.Domain.Sessions;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Tests.Shared;

/// <summary>
/// Writes realistic data into the SQLite file an app process will open: many sessions, and long linear
/// sessions (alternating user and assistant messages) of the given lengths, the longest one most recent.
/// </summary>
public static class WorkbenchSeeder
{
    public static async Task<SeededWorkbench> SeedAsync(string databasePath, int extraSessions, IReadOnlyList<int> sessionLengths, string providerName, string modelId)
    {
        var services = new ServiceCollection().AddSingleton(TimeProvider.System).AddAgentData(databasePath).BuildServiceProvider();
        await using (services)
        {
            await services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
            var contexts = services.GetRequiredService<IDbContextFactory<AgentDbContext>>();
            var start = DateTimeOffset.UtcNow.AddDays(-30);
            await using (var db = await contexts.CreateDbContextAsync())
            {
                for (var i = 0; i < extraSessions; i++)
                {
                    var at = start.AddMinutes(i);
                    db.Sessions.Add(new ChatSession(Guid.NewGuid(), Tenant.LocalId, $"Seeded session {i}", providerName, modelId, null, null, at, at));
                }

                await db.SaveChangesAsync();
            }

            var seeded = new List<(Guid Session, Guid Last)>();
            var now = DateTimeOffset.UtcNow;
            foreach (var (length, index) in sessionLengths.Select((l, i) => (l, i)))
            {
                var updated = now.AddSeconds(index);
                var session = new ChatSession(Guid.NewGuid(), Tenant.LocalId, $"Long session of {length} messages", providerName, modelId, null, null, updated, updated);
                await using var db = await contexts.CreateDbContextAsync();
                db.Sessions.Add(session);
                Guid? parent = null;
                for (var i = 0; i < length; i++)
                {
                    var message = new SessionMessage
                    {
                        Id = Guid.NewGuid(),
                        SessionId = session.Id,
                        TenantId = Tenant.LocalId,
                        ParentId = parent,
                        Role = i % 2 == 0 ? MessageRole.User : MessageRole.Assistant,
                        Parts = [new TextPart($"Seeded message {i}: " + string.Join(' ', Enumerable.Repeat("lorem ipsum dolor", 8)))],
                        Status = MessageStatus.Complete,
                        CreatedAt = now.AddMilliseconds(i - length),
                        UpdatedAt = now,
                        ProviderName = i % 2 == 0 ? null : providerName,
                        ModelId = i % 2 == 0 ? null : modelId,
                        ProviderMode = i % 2 == 0 ? null : "sandbox",
                    };
                    db.Messages.Add(message);
                    parent = message.Id;
                }

                await db.SaveChangesAsync();
                seeded.Add((session.Id, parent ?? default));
            }

            return new SeededWorkbench(seeded);
        }
    }

    /// <summary>
    /// Copies the rows of <paramref name="tables"/> from <paramref name="templatePath"/> (seeded by <see cref="SeedAsync"/>
    /// with this checkout's schema) into <paramref name="targetPath"/>, which another build of the app has migrated to
    /// its own schema: only the columns both databases have, and a zero value for a required column the template lacks.
    /// </summary>
    public static async Task CopyIntoAsync(string templatePath, string targetPath, params string[] tables)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = targetPath, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using (var attach = connection.CreateCommand())
        {
            attach.CommandText = "ATTACH DATABASE $path AS template;";
            attach.Parameters.AddWithValue("$path", templatePath);
            await attach.ExecuteNonQueryAsync();
        }

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
        foreach (var table in tables)
        {
            var target = await ColumnsAsync(connection, "main", table);
            var source = (await ColumnsAsync(connection, "template", table)).Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var shared = target.Where(c => source.Contains(c.Name)).Select(c => $"\"{c.Name}\"").ToList();
            var filled = target.Where(c => !source.Contains(c.Name) && c.Required).ToList();
            var names = string.Join(", ", shared.Concat(filled.Select(c => $"\"{c.Name}\"")));
            var values = string.Join(", ", shared.Concat(filled.Select(c => c.Type.Contains("INT", StringComparison.OrdinalIgnoreCase) ? "0" : "''")));
            await using var copy = connection.CreateCommand();
            copy.Transaction = transaction;
            copy.CommandText = $"INSERT INTO main.\"{table}\" ({names}) SELECT {values} FROM template.\"{table}\" ORDER BY rowid;";
            await copy.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }

    private static async Task<List<(string Name, string Type, bool Required)>> ColumnsAsync(SqliteConnection connection, string schema, string table)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA {schema}.table_info(\"{table}\");";
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<(string, string, bool)>();
        while (await reader.ReadAsync())
        {
            // cid, name, type, notnull, dflt_value, pk
            columns.Add((reader.GetString(1), reader.GetString(2), reader.GetInt64(3) == 1 && reader.IsDBNull(4)));
        }

        return columns.Count > 0 ? columns : throw new InvalidOperationException($"{schema}.{table} has no columns: is the database migrated?");
    }
}

/// <summary>The long sessions seeded, in the order of the lengths asked for, with their last message.</summary>
public sealed record SeededWorkbench(IReadOnlyList<(Guid Session, Guid Last)> LongSessions);
