namespace Agent.Domain.Runtime;

public enum IdempotencyDecision
{
    /// <summary>No execution holds the key: create one.</summary>
    CreateNew,

    /// <summary>The key already names an execution of the same request: return it, start nothing.</summary>
    ReturnExisting,

    /// <summary>The key is in use by a different request (another intent or session): refuse.</summary>
    Conflict,
}

public sealed record IdempotencyOutcome(IdempotencyDecision Decision, ExecutionRecord? Existing, string? Reason);

/// <summary>Decides what a submission with an idempotency key does, given what the key already names.</summary>
public static class IdempotencyRules
{
    public const int MaxKeyLength = 200;

    public static string? KeyProblem(string? key) => key switch
    {
        null => null,
        _ when string.IsNullOrWhiteSpace(key) => "idempotencyKey is blank; omit it or give a value",
        _ when key.Length > MaxKeyLength => $"idempotencyKey is longer than {MaxKeyLength} characters",
        _ => null,
    };

    public static IdempotencyOutcome Evaluate(ExecutionRecord? existing, string tenantId, string intent, Guid? sessionId)
    {
        if (existing is null)
        {
            return new(IdempotencyDecision.CreateNew, null, null);
        }

        if (existing.TenantId != tenantId)
        {
            // Keys are per tenant: another tenant's execution is never returned.
            return new(IdempotencyDecision.CreateNew, null, null);
        }

        if (existing.Intent != intent || existing.SessionId != sessionId)
        {
            return new(IdempotencyDecision.Conflict, existing,
                $"idempotencyKey '{existing.IdempotencyKey}' already names execution {existing.Id} of intent '{existing.Intent}'{(existing.SessionId is { } s ? $" in session {s}" : "")}; use a new key for a different request");
        }

        return new(IdempotencyDecision.ReturnExisting, existing, null);
    }
}
