using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Tools;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Data.Tests;

/// <summary>
/// Fixtures/agent-5bf12a2.db is a database in the schema of main at 5bf12a2 (EF Core 9; its migrations are the ones
/// this code still ships), with the rows of Fixtures/agent-5bf12a2.seed.sql: two sessions with a regenerated branch,
/// a tool call and result, an interrupted reply, a pending and a decided approval, executions with their WAL rows,
/// MCP import state, an override, a checkpoint, a trace event and a memory item. No secrets.
/// </summary>
public sealed class OldDatabaseUpgradeTests
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Fixtures", "agent-5bf12a2.db");

    [Fact]
    public async Task A_database_from_the_old_main_opens_on_first_start_with_every_row_unchanged()
    {
        await using var database = new TempDatabase();
        File.Copy(Fixture, database.FilePath);
        var before = await SnapshotAsync(database.FilePath);
        var oldColumns = await ColumnsAsync(database.FilePath);
        Assert.Equal(9, before["messages"].Count);

        // The same call DatabaseStartup makes when the app starts.
        await using (var services = await database.OpenInitializedAsync())
        {
            var db = await services.GetRequiredService<IDbContextFactory<AgentDbContext>>().CreateDbContextAsync();
            await using (db)
            {
                Assert.Empty(await db.Database.GetPendingMigrationsAsync());

                var moving = await db.Sessions.AsNoTracking().SingleAsync(s => s.Title == "Ein Plan für den Umzug 🚚");
                var messages = await db.Messages.AsNoTracking().Where(m => m.SessionId == moving.Id).ToListAsync();
                Assert.Equal(7, messages.Count);
                var regenerated = messages.Where(m => m.ParentId == messages.Single(u => u.ParentId is null).Id).ToList();
                Assert.Equal(2, regenerated.Count);
                Assert.Equal(moving.ActiveLeafId, messages.Single(m => m.Parts.OfType<TextPart>().Any(p => p.Text == "Saved moving.md.")).Id);
                var call = Assert.IsType<ToolCallPart>(Assert.Single(messages.Single(m => m.Parts.Any(p => p is ToolCallPart)).Parts));
                Assert.Equal("""{"path":"moving.md","content":"kitchen\nbooks"}""", call.ArgumentsJson);
                var result = Assert.IsType<ToolResultPart>(Assert.Single(messages.Single(m => m.Role == MessageRole.Tool).Parts));
                Assert.Equal("person", result.ApprovedBy);
                Assert.Contains(await db.Messages.AsNoTracking().ToListAsync(), m => m.Status == MessageStatus.Interrupted);

                var pending = await db.ToolApprovals.AsNoTracking().SingleAsync(a => a.Status == ToolApprovalStatus.Pending);
                Assert.Equal("workspace_delete", pending.ToolName);
                Assert.Equal(ExecutionStatus.Interrupted, (await db.Executions.AsNoTracking().SingleAsync(e => e.ProgressMessage == "waiting for approval")).Status);
                Assert.Equal(6, await db.Wal.CountAsync());
            }
        }

        SqliteConnection.ClearAllPools();

        // Columns added since 5bf12a2 (the message cost) are compared apart: NULL on every old row, i.e. not priced.
        var after = await SnapshotAsync(database.FilePath, oldColumns);
        var added = await SnapshotAsync(database.FilePath, new Dictionary<string, HashSet<string>> { ["messages"] = ["cost_nanos", "price_table_version"] });
        Assert.All(added["messages"], row => Assert.Equal("cost_nanos=NULL|price_table_version=NULL", row));
        // EF Core's migration lock table may be added (a file that EF 9 itself migrated already has it), and the Security
        // migration's tables (Identity's and access_tokens) start empty; turn_contexts (what each turn's request carried) is new too, team_tasks (TeamRuns) starts empty, and the Memory
        // migration adds attachments and its FTS5 index (memory_fts*, backfilled from the old messages); nothing else.
        string[] securityTables = ["AspNetRoleClaims", "AspNetRoles", "AspNetUserClaims", "AspNetUserLogins", "AspNetUserRoles", "AspNetUsers", "AspNetUserTokens", "access_tokens"];
        Assert.All(securityTables, t => Assert.Empty(after[t]));
        var unexpected = after.Keys.Except(before.Keys).Except(["__EFMigrationsLock"]).Except(securityTables).Except(["turn_contexts", "team_tasks", "attachments"]);
        Assert.All(unexpected, t => Assert.StartsWith("memory_fts", t, StringComparison.Ordinal));
        Assert.NotEmpty(after["memory_fts"]);
        Assert.Empty(after["team_tasks"]);
        foreach (var (table, rows) in before)
        {
            // Migrations added since 5bf12a2 append their own history rows; the old ones stay as they were.
            var kept = table == "__EFMigrationsHistory" ? after[table].Take(rows.Count) : after[table];
            Assert.True(rows.SequenceEqual(kept), $"Table {table} changed on first start.");
        }
    }

    /// <summary>Every row of every table as text, read with plain SQLite (not through the model under test).</summary>
    private static async Task<Dictionary<string, List<string>>> SnapshotAsync(string path, IReadOnlyDictionary<string, HashSet<string>>? onlyColumns = null)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            await using var reader = await list.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var snapshot = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1, 2";
            await using var reader = await select.ExecuteReaderAsync();
            var rows = new List<string>();
            while (await reader.ReadAsync())
            {
                rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Where(i => onlyColumns is null || (onlyColumns.TryGetValue(table, out var only) && only.Contains(reader.GetName(i)))).Select(i => $"{reader.GetName(i)}={(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))}")));
            }

            snapshot[table] = rows;
        }

        return snapshot;
    }

    /// <summary>The column names of every table, read with plain SQLite.</summary>
    private static async Task<Dictionary<string, HashSet<string>>> ColumnsAsync(string path)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'";
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0);
            if (!columns.TryGetValue(table, out var names))
            {
                columns[table] = names = new HashSet<string>(StringComparer.Ordinal);
            }

            names.Add(reader.GetString(1));
        }

        return columns;
    }
}
