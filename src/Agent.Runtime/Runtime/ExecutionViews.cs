using System.Text.Json;
using System.Text.Json.Serialization;
using Agent.Domain.Runtime;

namespace Agent.Runtime.Runtime;

/// <summary>
/// An execution as the runtime contract shows it (GET /api/execution/{id}/status, camelCase JSON): its contract
/// status and sub-status, the intent it carries out, its artifacts and its write-ahead-log events, its error and
/// progress. <see cref="Artifacts"/> and <see cref="Events"/> are null (and left out of the JSON) in the short form
/// that lists, submissions, cancels and retries answer with: reading them for every item would cost a query each.
/// </summary>
public sealed record ExecutionStatusView(
    Guid ExecutionId,
    string Status,
    string? SubStatus,
    IntentView Intent,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ArtifactView>? Artifacts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ExecutionEventView>? Events,
    string? Error,
    double Progress,
    string? ProgressMessage,
    int Attempts,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt)
{
    /// <summary>The short form: status and intent without artifacts and events.</summary>
    public static ExecutionStatusView Summary(ExecutionRecord record, bool awaitingApproval) => Of(record, awaitingApproval, null, null);

    /// <summary>The full form, with the execution's artifacts and its WAL entries.</summary>
    public static ExecutionStatusView Full(ExecutionRecord record, bool awaitingApproval, IReadOnlyList<Artifact> artifacts, IReadOnlyList<WalEntry> events)
    {
        ArgumentNullException.ThrowIfNull(artifacts);
        ArgumentNullException.ThrowIfNull(events);
        return Of(record, awaitingApproval, [.. artifacts.Select(ArtifactView.Of)], [.. events.Select(ExecutionEventView.Of)]);
    }

    private static ExecutionStatusView Of(ExecutionRecord record, bool awaitingApproval, IReadOnlyList<ArtifactView>? artifacts, IReadOnlyList<ExecutionEventView>? events)
    {
        ArgumentNullException.ThrowIfNull(record);
        var status = ContractStatus.Of(record.Status, awaitingApproval);
        return new(record.Id, status.Status, status.SubStatus, IntentView.Of(record), artifacts, events, record.Error,
            record.Progress, record.ProgressMessage, record.Attempts, record.CreatedAt, record.StartedAt, record.EndedAt);
    }
}

/// <summary>The contract's intent object: intent type, tenant, session, solution, parameters and metadata.</summary>
public sealed record IntentView(
    string IntentType,
    string TenantId,
    Guid? SessionId,
    string? SolutionId,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, string> Metadata)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>What the record stores of its intent: its parameters (what the handler needs) and its metadata (about the request).</summary>
    public static IntentView Of(ExecutionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(record.MetadataJson, Json) ?? [];
        var parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(record.ParametersJson, Json) ?? [];
        return new(record.Intent, record.TenantId, record.SessionId, record.SolutionId, parameters, metadata);
    }
}

/// <summary>An artifact as the contract shows it: lifecycle upper case, produced_by as an object.</summary>
public sealed record ArtifactView(
    Guid Id,
    string Type,
    string TenantId,
    ProducedByView ProducedBy,
    string Lifecycle,
    string SemanticDescriptor,
    IReadOnlyList<Guid> Parents,
    IReadOnlyList<Materialization> Materializations,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static ArtifactView Of(Artifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        return new(artifact.Id, artifact.Type, artifact.TenantId, new ProducedByView(artifact.ProducedByIntent, artifact.ProducedByExecutionId),
            ArtifactLifecycleNames.Of(artifact.Lifecycle), artifact.SemanticDescriptor, artifact.Parents, artifact.Materializations, artifact.CreatedAt, artifact.UpdatedAt);
    }
}

/// <summary>The intent and the execution that produced an artifact.</summary>
public sealed record ProducedByView(string Intent, Guid ExecutionId);

/// <summary>
/// One WAL entry of an execution: a lifecycle transition (kind "lifecycle") or a domain event (kind "domain"), with its
/// payload as JSON. The WAL holds no reply text: a turn's text lives on its message and streams as text events.
/// </summary>
public sealed record ExecutionEventView(long Sequence, string Kind, string Type, JsonElement Payload, DateTimeOffset RecordedAt)
{
    public const string LifecycleKind = "lifecycle";
    public const string DomainKind = "domain";

    public static ExecutionEventView Of(WalEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new(entry.Sequence, entry.Kind == WalEntryKind.LifecycleTransition ? LifecycleKind : DomainKind, entry.EventType, Parse(entry.PayloadJson), entry.RecordedAt);
    }

    private static JsonElement Parse(string payloadJson)
    {
        try
        {
            using var document = JsonDocument.Parse(payloadJson);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // The runtime writes JSON; a row that is not (edited by hand) is shown as the text it holds.
            return JsonSerializer.SerializeToElement(payloadJson);
        }
    }
}
