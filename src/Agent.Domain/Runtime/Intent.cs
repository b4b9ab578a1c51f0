namespace Agent.Domain.Runtime;

/// <summary>
/// What was asked for, as the runtime contract names it: the intent type, whose it is (tenant, session, solution),
/// its parameters (what the handler needs to do the work: for a turn, the reply, its provider and model) and its
/// metadata (about the request: idempotency, parent execution, the caller's tags).
/// </summary>
public sealed record Intent(
    string IntentType,
    string TenantId,
    Guid? SessionId,
    string SolutionId,
    IReadOnlyDictionary<string, string> Parameters,
    IReadOnlyDictionary<string, string> Metadata)
{
    public string? Parameter(string key) => Parameters.TryGetValue(key, out var value) ? value : null;
}

/// <summary>Whether an intent acts on one session (a chat turn) or on the tenant as a whole (a daily summary).</summary>
public enum IntentScope
{
    /// <summary>Either: a session id is optional (diagnostics, attachments).</summary>
    Any,

    /// <summary>The request must name a session of the tenant.</summary>
    Session,

    /// <summary>The request must not name a session.</summary>
    Tenant,
}
