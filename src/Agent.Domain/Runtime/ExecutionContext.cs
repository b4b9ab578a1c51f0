namespace Agent.Domain.Runtime;

/// <summary>
/// Everything a handler gets for one attempt. Built only through <see cref="Create"/>, which validates every
/// field and names the one that is missing or inconsistent; nothing is handed to a handler half-built.
/// </summary>
public sealed record ExecutionContext
{
    private ExecutionContext(
        Guid executionId,
        Intent intent,
        string tenantId,
        Guid? sessionId,
        string solutionId,
        StateSurface state,
        IWalAppender wal,
        IReadOnlyDictionary<string, string> metadata,
        DateTimeOffset createdAt,
        IProgressReporter progress,
        int attempt,
        bool isResume)
    {
        ExecutionId = executionId;
        Intent = intent;
        TenantId = tenantId;
        SessionId = sessionId;
        SolutionId = solutionId;
        State = state;
        Wal = wal;
        Metadata = metadata;
        CreatedAt = createdAt;
        Progress = progress;
        Attempt = attempt;
        IsResume = isResume;
    }

    public Guid ExecutionId { get; }

    /// <summary>The intent with its parameters and metadata, consistent with the fields below (checked at creation).</summary>
    public Intent Intent { get; }

    public string IntentType => Intent.IntentType;

    public string TenantId { get; }

    public Guid? SessionId { get; }

    public string SolutionId { get; }

    public StateSurface State { get; }

    public IWalAppender Wal { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public DateTimeOffset CreatedAt { get; }

    public IProgressReporter Progress { get; }

    /// <summary>1-based attempt number of this run of the handler.</summary>
    public int Attempt { get; }

    /// <summary>True when recovery resumed the execution after the process ended: continue from the execution state.</summary>
    public bool IsResume { get; }

    public string? MetadataValue(string key) => Metadata.TryGetValue(key, out var value) ? value : null;

    /// <summary>An intent parameter, or (for requests written before parameters existed) the metadata entry of that name.</summary>
    public string? ParameterValue(string key) => Intent.Parameter(key) ?? MetadataValue(key);

    /// <summary>Builds a context or throws <see cref="ExecutionContextValidationException"/> naming the bad field.</summary>
    public static ExecutionContext Create(
        Guid executionId,
        Intent? intent,
        string? tenantId,
        Guid? sessionId,
        string? solutionId,
        StateSurface? state,
        IWalAppender? wal,
        IReadOnlyDictionary<string, string>? metadata,
        DateTimeOffset createdAt,
        IProgressReporter? progress,
        int attempt = 1,
        bool isResume = false)
    {
        if (executionId == Guid.Empty)
        {
            throw new ExecutionContextValidationException("execution_id", "is missing (empty id)");
        }

        if (intent is null || string.IsNullOrWhiteSpace(intent.IntentType))
        {
            throw new ExecutionContextValidationException("intent", "is missing");
        }

        if (string.IsNullOrWhiteSpace(tenantId))
        {
            throw new ExecutionContextValidationException("tenant_id", "is missing");
        }

        if (sessionId == Guid.Empty)
        {
            throw new ExecutionContextValidationException("session_id", "is an empty id; omit it or give a real session id");
        }

        if (string.IsNullOrWhiteSpace(solutionId))
        {
            throw new ExecutionContextValidationException("solution_id", "is missing");
        }

        if (intent.TenantId != tenantId)
        {
            throw new ExecutionContextValidationException("intent", $"names tenant '{intent.TenantId}', not the execution's tenant '{tenantId}'");
        }

        if (intent.SessionId != sessionId)
        {
            throw new ExecutionContextValidationException("intent", $"names session {intent.SessionId?.ToString() ?? "(none)"}, not the execution's session {sessionId?.ToString() ?? "(none)"}");
        }

        if (intent.SolutionId != solutionId)
        {
            throw new ExecutionContextValidationException("intent", $"names solution '{intent.SolutionId}', not the execution's solution '{solutionId}'");
        }

        if (intent.Parameters is null)
        {
            throw new ExecutionContextValidationException("intent", "has no parameters (use an empty map)");
        }

        if (state is null)
        {
            throw new ExecutionContextValidationException("state", "is missing");
        }

        if (state.Execution.Scope != StateScopes.Execution(tenantId, executionId))
        {
            throw new ExecutionContextValidationException("state", $"execution scope '{state.Execution.Scope}' does not belong to execution {executionId} of tenant '{tenantId}'");
        }

        if (sessionId is { } session)
        {
            if (state.Session is null)
            {
                throw new ExecutionContextValidationException("state", "has no session scope although session_id is set");
            }

            if (state.Session.Scope != StateScopes.Session(tenantId, session))
            {
                throw new ExecutionContextValidationException("state", $"session scope '{state.Session.Scope}' does not match session_id {session} of tenant '{tenantId}'");
            }
        }
        else if (state.Session is not null)
        {
            throw new ExecutionContextValidationException("state", "has a session scope although session_id is not set");
        }

        if (wal is null)
        {
            throw new ExecutionContextValidationException("wal", "is missing");
        }

        if (wal.ExecutionId != executionId || wal.TenantId != tenantId)
        {
            throw new ExecutionContextValidationException("wal", $"is bound to execution {wal.ExecutionId} of tenant '{wal.TenantId}', not to this execution");
        }

        if (metadata is null || intent.Metadata is null)
        {
            throw new ExecutionContextValidationException("metadata", "is missing (use an empty map)");
        }

        if (metadata.Keys.FirstOrDefault(string.IsNullOrWhiteSpace) is not null)
        {
            throw new ExecutionContextValidationException("metadata", "has a blank key");
        }

        if (createdAt == default)
        {
            throw new ExecutionContextValidationException("created_at", "is missing");
        }

        if (progress is null)
        {
            throw new ExecutionContextValidationException("progress", "is missing");
        }

        if (attempt < 1)
        {
            throw new ExecutionContextValidationException("attempt", "must be at least 1");
        }

        return new ExecutionContext(executionId, intent, tenantId, sessionId, solutionId, state, wal, metadata, createdAt, progress, attempt, isResume);
    }
}

/// <summary>A context field is missing or inconsistent; <see cref="Field"/> names it.</summary>
public sealed class ExecutionContextValidationException(string field, string problem)
    : ArgumentException($"Execution context field '{field}' {problem}.")
{
    public string Field { get; } = field;
}
