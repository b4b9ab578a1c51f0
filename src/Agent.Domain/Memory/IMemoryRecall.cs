namespace Agent.Domain.Memory;

/// <summary>A remembered item found relevant to a query, with its relevance (higher is more relevant).</summary>
public sealed record RecalledMemory(MemoryItem Item, double Score);

/// <summary>
/// Finds what the agent remembers that is relevant to a query: archival facts, episodes, attachment
/// summaries and messages of the tenant. Returns nothing when nothing clears the relevance threshold.
/// </summary>
public interface IMemoryRecall
{
    Task<IReadOnlyList<RecalledMemory>> RecallAsync(string tenantId, string query, int take, CancellationToken cancellationToken);

    /// <summary>The same, over only what <paramref name="scope"/> reaches (a team member's; see <see cref="MemoryScope"/>).</summary>
    Task<IReadOnlyList<RecalledMemory>> RecallInScopeAsync(string tenantId, MemoryScope scope, string query, int take, CancellationToken cancellationToken);
}
