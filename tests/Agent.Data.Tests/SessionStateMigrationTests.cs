using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Data.Tests;

/// <summary>A session's settings, stored before in scopes of their own, are in its session state after the upgrade.</summary>
public sealed class SessionStateMigrationTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Team_binding_and_tool_mode_move_into_the_session_scope_and_back()
    {
        await using var db = new TempDatabase();
        var alice = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
        var bob = Guid.Parse("7c9e6679-7425-40de-944b-e07fc1f90ae7");
        using (var before = db.OpenServices())
        {
            await using var context = await before.GetRequiredService<IDbContextFactory<AgentDbContext>>().CreateDbContextAsync(None);
            var migrator = context.GetService<IMigrator>();
            await migrator.MigrateAsync("20261207030726_TurnContexts", None);
            await context.Database.ExecuteSqlRawAsync(
                """
                INSERT INTO state_entries (Scope, Key, Value, UpdatedAt) VALUES
                  ('session-team:local', '0f8fad5bd9cb469fa16570867728950e', 'research', 0),
                  ('tool-mode:local', '0f8fad5bd9cb469fa16570867728950e', 'Manual', 0),
                  ('tool-mode:acme:eu', '7c9e6679742540de944be07fc1f90ae7', 'AutoApprove', 0),
                  ('team-config:local', 'team:research', 'null', 0);
                """,
                None);

            await migrator.MigrateAsync(null, None);
        }

        using (var after = db.OpenServices())
        {
            var state = after.GetRequiredService<IStateStore>();
            Assert.Equal("research", await state.GetAsync(StateScopes.Session("local", alice), SessionStateKeys.Team, None));
            Assert.Equal("Manual", await state.GetAsync(StateScopes.Session("local", alice), SessionStateKeys.ToolMode, None));
            Assert.Equal("AutoApprove", await state.GetAsync(StateScopes.Session("acme:eu", bob), SessionStateKeys.ToolMode, None));
            Assert.Empty(await state.ListAsync("session-team:local", None));
            Assert.Empty(await state.ListAsync("tool-mode:local", None));
            Assert.Single(await state.ListAsync("team-config:local", None));

            // Down restores the old scopes exactly (a tenant id with a colon in it included).
            await using var context = await after.GetRequiredService<IDbContextFactory<AgentDbContext>>().CreateDbContextAsync(None);
            await context.GetService<IMigrator>().MigrateAsync("20261207030726_TurnContexts", None);
            Assert.Equal("research", await state.GetAsync("session-team:local", "0f8fad5bd9cb469fa16570867728950e", None));
            Assert.Equal("AutoApprove", await state.GetAsync("tool-mode:acme:eu", "7c9e6679742540de944be07fc1f90ae7", None));
        }
    }
}
