using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;

namespace Agent.Runtime.Runtime;

public sealed class ArtifactRuleException(string message) : InvalidOperationException(message);

/// <summary>Creates, resolves and lists artifacts; every creation and lifecycle change is logged in the WAL.</summary>
public sealed class ArtifactRegistry(IArtifactStore store, IWalStore wal, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Artifact> CreateAsync(string tenantId, string producedByIntent, Guid producedByExecutionId, ArtifactDraft draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        if (string.IsNullOrWhiteSpace(draft.Type))
        {
            throw new ArtifactRuleException("An artifact needs a type.");
        }

        foreach (var parent in draft.Parents)
        {
            if (await store.FindAsync(tenantId, parent, cancellationToken) is null)
            {
                throw new ArtifactRuleException($"Parent artifact {parent} does not exist for tenant '{tenantId}'.");
            }
        }

        var now = time.GetUtcNow();
        var artifact = new Artifact(Guid.NewGuid(), draft.Type, tenantId, producedByIntent, producedByExecutionId, draft.Lifecycle,
            draft.SemanticDescriptor, draft.Parents, draft.Materializations, now, now);
        await store.AddAsync(artifact, cancellationToken);
        await LogAsync(artifact, "artifact.created", new { artifactId = artifact.Id, artifact.Type, lifecycle = artifact.Lifecycle.ToString(), artifact.Parents }, cancellationToken);
        return artifact;
    }

    public Task<Artifact?> ResolveAsync(string tenantId, Guid artifactId, CancellationToken cancellationToken) =>
        store.FindAsync(tenantId, artifactId, cancellationToken);

    public Task<IReadOnlyList<Artifact>> ListAsync(ArtifactQuery query, CancellationToken cancellationToken) =>
        store.ListAsync(query, cancellationToken);

    public async Task<Artifact?> ChangeLifecycleAsync(string tenantId, Guid artifactId, ArtifactLifecycle to, CancellationToken cancellationToken)
    {
        var artifact = await store.FindAsync(tenantId, artifactId, cancellationToken);
        if (artifact is null)
        {
            return null;
        }

        if (!ArtifactLifecycleRules.CanTransition(artifact.Lifecycle, to))
        {
            throw new ArtifactRuleException($"Artifact {artifactId} cannot move from {artifact.Lifecycle} to {to}.");
        }

        var updated = artifact with { Lifecycle = to, UpdatedAt = time.GetUtcNow() };
        await store.UpdateAsync(updated, cancellationToken);
        await LogAsync(updated, "artifact.lifecycle_changed", new { artifactId, from = artifact.Lifecycle.ToString(), to = to.ToString() }, cancellationToken);
        return updated;
    }

    public async Task<Artifact?> AddMaterializationAsync(string tenantId, Guid artifactId, Materialization materialization, CancellationToken cancellationToken)
    {
        var artifact = await store.FindAsync(tenantId, artifactId, cancellationToken);
        if (artifact is null)
        {
            return null;
        }

        var updated = artifact with { Materializations = [.. artifact.Materializations, materialization], UpdatedAt = time.GetUtcNow() };
        await store.UpdateAsync(updated, cancellationToken);
        await LogAsync(updated, "artifact.materialized", new { artifactId, materialization.Kind, materialization.Location }, cancellationToken);
        return updated;
    }

    private Task LogAsync(Artifact artifact, string eventType, object payload, CancellationToken cancellationToken) =>
        wal.AppendAsync(new WalEntry(0, artifact.TenantId, artifact.ProducedByExecutionId, WalEntryKind.DomainEvent, eventType,
            JsonSerializer.Serialize(payload, Json), time.GetUtcNow()), cancellationToken);
}
