using Agent.Data;
using Agent.Domain.Sessions;
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
}

/// <summary>The long sessions seeded, in the order of the lengths asked for, with their last message.</summary>
public sealed record SeededWorkbench(IReadOnlyList<(Guid Session, Guid Last)> LongSessions);
