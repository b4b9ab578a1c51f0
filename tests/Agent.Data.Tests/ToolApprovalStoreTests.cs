using Agent.Domain.Tools;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Data.Tests;

public sealed class ToolApprovalStoreTests
{
    [Fact]
    public async Task Pending_requests_are_listed_again_after_reopening_the_database_and_decisions_are_kept()
    {
        await using var db = new TempDatabase();
        var sessionId = Guid.NewGuid();
        var request = new ToolApprovalRequest(Guid.NewGuid(), "local", sessionId, Guid.NewGuid(), "call-1", "workspace_write", """{"path":"a.txt"}""", "tool has effects Writes", DateTimeOffset.UtcNow);
        await using (var services = await db.OpenInitializedAsync())
        {
            var store = services.GetRequiredService<IToolApprovalStore>();
            await store.SaveAsync(request, CancellationToken.None);
            await store.SaveAsync(request with { Id = Guid.NewGuid(), TenantId = "other" }, CancellationToken.None);
        }

        SqliteConnection.ClearAllPools();
        await using (var services = await db.OpenInitializedAsync())
        {
            var store = services.GetRequiredService<IToolApprovalStore>();
            var pending = Assert.Single(await store.ListPendingAsync("local", CancellationToken.None));
            Assert.Equal(request, pending);

            await store.SaveAsync(pending with { Status = ToolApprovalStatus.Denied, DenyReason = "no", DecidedAt = DateTimeOffset.UtcNow }, CancellationToken.None);
            Assert.Empty(await store.ListPendingAsync("local", CancellationToken.None));
            Assert.Equal(ToolApprovalStatus.Denied, (await store.GetAsync(request.Id, CancellationToken.None))!.Status);

            Assert.False(await store.IsGrantedForSessionAsync("local", sessionId, "workspace_write", CancellationToken.None));
            await store.GrantForSessionAsync("local", sessionId, "workspace_write", CancellationToken.None);
            await store.GrantForSessionAsync("local", sessionId, "workspace_write", CancellationToken.None);
            Assert.True(await store.IsGrantedForSessionAsync("local", sessionId, "workspace_write", CancellationToken.None));
            Assert.False(await store.IsGrantedForSessionAsync("local", Guid.NewGuid(), "workspace_write", CancellationToken.None));
        }
    }
}
