namespace Agent.Domain.Runtime;

/// <summary>The kinds of stored things an execution request can name by id.</summary>
public enum OwnedIdKind
{
    Session,
    Message,
    Execution,
    Artifact,
    Attachment,
    TeamTask,
}

/// <summary>A metadata key whose value is the id (a GUID) of something of <paramref name="Kind"/> that the tenant must own.</summary>
public sealed record OwnedIdKey(string Key, OwnedIdKind Kind)
{
    /// <summary>How a person reads the kind in a refusal ("message", "team task").</summary>
    public static string Describe(OwnedIdKind kind) => kind switch
    {
        OwnedIdKind.TeamTask => "team task",
        _ => kind.ToString().ToLowerInvariant(),
    };
}

/// <summary>
/// Whether an id names something of the tenant. Another tenant's id and an unknown one answer the same (false), so a
/// refusal cannot tell a caller that the id exists elsewhere.
/// </summary>
public interface ITenantOwnership
{
    Task<bool> OwnsAsync(string tenantId, OwnedIdKind kind, Guid id, CancellationToken cancellationToken);
}

/// <summary>The id keys every intent's metadata is checked for, whatever the intent declares itself.</summary>
public static class CommonIdKeys
{
    public const string MessageId = "messageId";
    public const string AttachmentId = "attachmentId";
    public const string ArtifactId = "artifactId";
    public const string ExecutionId = "executionId";
    public const string ParentExecutionId = "parentExecutionId";
    public const string TaskId = "taskId";

    public static IReadOnlyList<OwnedIdKey> All { get; } =
    [
        new(MessageId, OwnedIdKind.Message),
        new(AttachmentId, OwnedIdKind.Attachment),
        new(ArtifactId, OwnedIdKind.Artifact),
        new(ExecutionId, OwnedIdKind.Execution),
        new(ParentExecutionId, OwnedIdKind.Execution),
        new(TaskId, OwnedIdKind.TeamTask),
    ];

    /// <summary>The common keys with the intent's own (an intent's declaration of a key wins).</summary>
    public static IReadOnlyList<OwnedIdKey> With(IReadOnlyList<OwnedIdKey> declared)
    {
        ArgumentNullException.ThrowIfNull(declared);
        return [.. declared, .. All.Where(c => !declared.Any(d => string.Equals(d.Key, c.Key, StringComparison.Ordinal)))];
    }
}
