using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;

namespace Agent.Web.Tests;

/// <summary>A store call that waits for the test: the page stays in its loading state until <see cref="Release"/>.</summary>
internal sealed class Gate
{
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => released.TrySetResult();

    public Task WaitAsync(CancellationToken cancellationToken) => released.Task.WaitAsync(cancellationToken);
}

/// <summary>Token totals for the Tokens page: fixed figures, after an optional gate, or a failure.</summary>
internal sealed class FakeTokenUsageStore(TokenTotals totals, Gate? gate = null, Exception? failure = null) : ITokenUsageStore
{
    public async Task<TokenTotals> TotalsAsync(string tenantId, CancellationToken cancellationToken)
    {
        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken);
        }

        return failure is null ? totals : throw failure;
    }

    public Task<IReadOnlyDictionary<string, TokenTotals>> TotalsByModelAsync(string tenantId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, TokenTotals>>(new Dictionary<string, TokenTotals>());
}

/// <summary>Token reports for the Tokens page: the same groups for every grouping's key, after an optional gate, or a failure.</summary>
internal sealed class FakeTokenReportStore(IReadOnlyDictionary<TokenGrouping, TokenReport> reports, Gate? gate = null, Exception? failure = null) : ITokenReportStore
{
    public static TokenReport Empty { get; } = new([], new TokenAggregate("total", 0, 0, 0, 0, 0, 0, 0));

    public async Task<TokenReport> AggregateAsync(TokenQuery query, CancellationToken cancellationToken)
    {
        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken);
        }

        return failure is null ? reports.GetValueOrDefault(query.GroupBy, Empty) : throw failure;
    }
}

/// <summary>Sessions by id for pages that show titles.</summary>
internal sealed class FakeSessionStore(params ChatSession[] sessions) : ISessionStore
{
    public Task AddAsync(ChatSession session, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<ChatSession?> FindAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        Task.FromResult(sessions.FirstOrDefault(s => s.Id == sessionId));

    public Task<IReadOnlyList<ChatSession>> ListAsync(string tenantId, int skip, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ChatSession>>(sessions);

    public Task<IReadOnlyList<ChatSession>> ListAsync(string tenantId, SessionShelf shelf, int skip, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ChatSession>>(shelf == SessionShelf.Active ? sessions : []);

    public Task UpdateAsync(ChatSession session, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> SetShelfAsync(string tenantId, Guid sessionId, ShelfChange change, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> DeleteAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> PurgeTrashAsync(string? tenantId, DateTimeOffset before, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<int> CountAsync(string tenantId, CancellationToken cancellationToken) => Task.FromResult(sessions.Length);

    public Task<IReadOnlyList<ChatSession>> SearchAsync(string tenantId, string text, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ChatSession>>(sessions);

    public int TitleQueries { get; private set; }

    public Task<IReadOnlyDictionary<Guid, string>> TitlesAsync(string tenantId, IReadOnlyCollection<Guid> sessionIds, CancellationToken cancellationToken)
    {
        TitleQueries++;
        return Task.FromResult<IReadOnlyDictionary<Guid, string>>(sessions.Where(s => s.TenantId == tenantId && sessionIds.Contains(s.Id)).ToDictionary(s => s.Id, s => s.Title));
    }
}

/// <summary>Memory for the Memory page: fixed counts per tier and the given items, or a failure.</summary>
internal sealed class FakeMemoryStore(IReadOnlyDictionary<MemoryTier, int> counts, Exception? failure = null, IReadOnlyList<MemoryItem>? items = null) : IMemoryStore
{
    private readonly IReadOnlyList<MemoryItem> items = items ?? [];

    public Task AddAsync(MemoryItem item, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task UpdateAsync(MemoryItem item, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<bool> DeleteAsync(string tenantId, Guid itemId, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<MemoryItem?> FindAsync(string tenantId, Guid itemId, CancellationToken cancellationToken) =>
        Task.FromResult(items.FirstOrDefault(i => i.Id == itemId));

    public Task<IReadOnlyList<MemoryItem>> ListAsync(string tenantId, MemoryTier? tier, int skip, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<MemoryItem>>(items.Where(i => tier is null || i.Tier == tier).Skip(skip).Take(take).ToList());

    public Task<MemoryPage> SearchAsync(string tenantId, MemoryTier? tier, string? query, int skip, int take, CancellationToken cancellationToken)
    {
        if (failure is not null)
        {
            return Task.FromException<MemoryPage>(failure);
        }

        var matched = items.Where(i => (tier is null || i.Tier == tier) && (string.IsNullOrEmpty(query) || i.Content.Contains(query, StringComparison.OrdinalIgnoreCase))).ToList();
        return Task.FromResult(new MemoryPage(matched.Skip(skip).Take(take).ToList(), matched.Count));
    }

    public Task<MemoryItem?> FindEpisodeAsync(string tenantId, Guid sessionId, DateOnly day, CancellationToken cancellationToken) =>
        Task.FromResult<MemoryItem?>(null);

    public Task<IReadOnlyList<MemoryItem>> EpisodesOfSessionAsync(string tenantId, Guid sessionId, DateOnly? fromDay, DateOnly? toDay, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<MemoryItem>>(items.Where(i => i.Tier == MemoryTier.DailyEpisode && i.SessionId == sessionId).TakeLast(take).ToList());

    public Task<IReadOnlyList<string>> TenantsWithHistoryAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>([]);

    public Task<IReadOnlyList<SessionMessage>> RawHistoryAsync(string tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<SessionMessage>>([]);

    public Task<IReadOnlyDictionary<MemoryTier, int>> CountByTierAsync(string tenantId, CancellationToken cancellationToken) =>
        failure is null ? Task.FromResult(counts) : Task.FromException<IReadOnlyDictionary<MemoryTier, int>>(failure);
}

internal sealed class FakeCheckpointStore(int count) : ICheckpointStore
{
    public Task AddAsync(Checkpoint checkpoint, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IReadOnlyList<Checkpoint>> ListBySessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Checkpoint>>([]);

    public Task<Checkpoint?> FindAsync(string tenantId, Guid checkpointId, CancellationToken cancellationToken) => Task.FromResult<Checkpoint?>(null);

    public Task<int> CountAsync(string tenantId, CancellationToken cancellationToken) => Task.FromResult(count);
}

/// <summary>An override store that waits for a gate or fails, for the Tools page's loading and error states.</summary>
internal sealed class TroubledOverrideStore(Gate? gate = null, Exception? failure = null) : IConfigOverrideStore
{
    public async Task<IReadOnlyDictionary<string, bool>> EnabledOverridesAsync(string tenantId, string scope, CancellationToken cancellationToken)
    {
        if (gate is not null)
        {
            await gate.WaitAsync(cancellationToken);
        }

        return failure is null ? new Dictionary<string, bool>() : throw failure;
    }

    public Task SetEnabledAsync(string tenantId, string scope, string name, bool enabled, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Recall that finds nothing (the Memory page's tests are about its markup).</summary>
internal sealed class NoRecall : IMemoryRecall
{
    public Task<IReadOnlyList<RecalledMemory>> RecallAsync(string tenantId, string query, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RecalledMemory>>([]);

    public Task<IReadOnlyList<RecalledMemory>> RecallInScopeAsync(string tenantId, MemoryScope scope, string query, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RecalledMemory>>([]);
}

/// <summary>No attachments (the Memory page's tests do not attach files).</summary>
internal sealed class NoAttachments : IAttachmentStore
{
    public Task AddAsync(Attachment attachment, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task UpdateAsync(Attachment attachment, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<Attachment?> FindAsync(string tenantId, Guid attachmentId, CancellationToken cancellationToken) => Task.FromResult<Attachment?>(null);

    public Task<IReadOnlyList<Attachment>> ListBySessionAsync(string tenantId, Guid sessionId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<Attachment>>([]);

    public Task AssignToMessageAsync(string tenantId, IReadOnlyCollection<Guid> attachmentIds, Guid messageId, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}
