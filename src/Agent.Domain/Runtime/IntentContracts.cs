namespace Agent.Domain.Runtime;

/// <summary>
/// Handles one intent. It receives a validated <see cref="ExecutionContext"/> and returns what it produced.
/// It never writes execution records nor changes status: the runtime does that from the outcome
/// (return = completed, exception = failed or retried, cancellation = cancelled).
/// </summary>
public interface IIntentHandler
{
    Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken);
}

/// <summary>What a handler produced: artifacts to register and domain events to log.</summary>
public sealed record IntentResult(IReadOnlyList<ArtifactDraft> Artifacts, IReadOnlyList<DomainEvent> Events)
{
    public static IntentResult Empty { get; } = new([], []);
}

/// <summary>An artifact a handler asks the runtime to register (produced_by is filled in by the runtime).</summary>
public sealed record ArtifactDraft(
    string Type,
    string SemanticDescriptor,
    IReadOnlyList<Guid> Parents,
    IReadOnlyList<Materialization> Materializations,
    ArtifactLifecycle Lifecycle = ArtifactLifecycle.Ready);

public sealed record DomainEvent(string EventType, string PayloadJson);

/// <summary>Thrown by a handler for a failure that another attempt cannot fix; the runtime does not retry it.</summary>
public sealed class PermanentIntentFailureException(string message) : Exception(message);

/// <summary>Reports progress (0..1 and a message); the runtime persists it and pushes it to the UI.</summary>
public interface IProgressReporter
{
    Task ReportAsync(double fraction, string? message, CancellationToken cancellationToken);
}

/// <summary>Appends domain events to the write-ahead log, bound to one execution. It cannot write lifecycle transitions.</summary>
public interface IWalAppender
{
    Guid ExecutionId { get; }

    string TenantId { get; }

    Task<long> AppendAsync(string eventType, string payloadJson, CancellationToken cancellationToken);
}

/// <summary>Key/value state persisted under one scope (see <see cref="StateScopes"/>).</summary>
public interface IStateScope
{
    string Scope { get; }

    Task<string?> GetAsync(string key, CancellationToken cancellationToken);

    Task SetAsync(string key, string value, CancellationToken cancellationToken);

    Task RemoveAsync(string key, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, string>> ReadAllAsync(CancellationToken cancellationToken);
}

/// <summary>The state a handler can see: its own execution's, and its session's when it has one.</summary>
public sealed record StateSurface(IStateScope Execution, IStateScope? Session);

/// <summary>Scope names of the state surface.</summary>
public static class StateScopes
{
    public static string Session(string tenantId, Guid sessionId) => $"session:{tenantId}:{sessionId:D}";

    public static string Execution(string tenantId, Guid executionId) => $"execution:{tenantId}:{executionId:D}";
}

/// <summary>The keys of a session's state (<see cref="StateScopes.Session"/>): its settings and its in-flight turn.</summary>
public static class SessionStateKeys
{
    /// <summary>The id of the team the session is bound to (absent: none).</summary>
    public const string Team = "team";

    /// <summary>The session's tool mode (absent: the configured default).</summary>
    public const string ToolMode = "tool_mode";

    /// <summary>The chat's own instructions, added to its agent's system prompt (absent: none).</summary>
    public const string SystemPrompt = "system_prompt";

    /// <summary>The chat's sampling temperature, invariant culture (absent: the provider's default).</summary>
    public const string Temperature = "temperature";

    /// <summary>The turn streaming right now: its execution, reply message and mode (absent between turns).</summary>
    public const string Turn = "turn";
}
