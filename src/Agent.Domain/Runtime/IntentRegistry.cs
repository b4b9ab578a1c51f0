namespace Agent.Domain.Runtime;

/// <summary>Describes an intent for people and for the runtime: what it is for, and its policy.</summary>
/// <paramref name="RunsInParentSlot"/>: a child started by a running parent that waits for it (a team member) runs in
/// the parent's admission slot instead of queueing for its own; only the app itself names the parent.
/// <paramref name="IdKeys"/>: the parameter (or metadata) keys that carry ids (message, attachment, ...); the runtime refuses a request
/// whose ids are not the tenant's before it creates an execution (the keys of <see cref="CommonIdKeys"/> are always checked).
/// <paramref name="Scope"/>: whether a request must name a session (a chat turn), must not (a tenant-wide job), or may.
public sealed record IntentMetadata(string Description, IntentPolicy Policy, bool IsDiagnostic = false, bool RunsInParentSlot = false, IReadOnlyList<OwnedIdKey>? IdKeys = null, IntentScope Scope = IntentScope.Any)
{
    /// <summary>Every metadata key of this intent that carries an id: its own and the common ones.</summary>
    public IReadOnlyList<OwnedIdKey> OwnedIdKeys => CommonIdKeys.With(IdKeys ?? []);
}

public sealed record IntentRegistration(string IntentType, string HandlerName, IIntentHandler Handler, IntentMetadata Metadata);

/// <summary>Routes an intent type to its handler. Registered at boot; lookups are thread-safe.</summary>
public sealed class IntentRegistry
{
    private readonly Dictionary<string, IntentRegistration> registrations = new(StringComparer.Ordinal);
    private readonly Lock gate = new();

    public IntentRegistration Register(string intentType, string handlerName, IIntentHandler handler, IntentMetadata metadata)
    {
        if (string.IsNullOrWhiteSpace(intentType))
        {
            throw new IntentRegistrationException("An intent type is required (for example 'send_message').");
        }

        if (string.IsNullOrWhiteSpace(handlerName))
        {
            throw new IntentRegistrationException($"Intent '{intentType}' needs a handler name.");
        }

        ArgumentNullException.ThrowIfNull(handler);
        ArgumentNullException.ThrowIfNull(metadata);
        var policyErrors = metadata.Policy.Validate();
        if (policyErrors.Count > 0)
        {
            throw new IntentRegistrationException($"Intent '{intentType}' has an invalid policy: {string.Join("; ", policyErrors)}.");
        }

        var registration = new IntentRegistration(intentType, handlerName, handler, metadata);
        lock (gate)
        {
            if (registrations.TryGetValue(intentType, out var existing))
            {
                throw new IntentRegistrationException($"Intent '{intentType}' is already registered to handler '{existing.HandlerName}'; it cannot also go to '{handlerName}'.");
            }

            registrations.Add(intentType, registration);
        }

        return registration;
    }

    /// <summary>The registration for the intent, or <see cref="UnknownIntentException"/> listing the known intents.</summary>
    public IntentRegistration Resolve(string intentType)
    {
        lock (gate)
        {
            if (intentType is not null && registrations.TryGetValue(intentType, out var registration))
            {
                return registration;
            }

            throw new UnknownIntentException(intentType ?? "", registrations.Keys.Order(StringComparer.Ordinal).ToList());
        }
    }

    public bool TryResolve(string intentType, out IntentRegistration? registration)
    {
        lock (gate)
        {
            return registrations.TryGetValue(intentType, out registration);
        }
    }

    public IReadOnlyList<IntentRegistration> All
    {
        get
        {
            lock (gate)
            {
                return registrations.Values.OrderBy(r => r.IntentType, StringComparer.Ordinal).ToList();
            }
        }
    }
}

public sealed class IntentRegistrationException(string message) : InvalidOperationException(message);

public sealed class UnknownIntentException(string intentType, IReadOnlyList<string> known)
    : KeyNotFoundException($"Intent '{intentType}' is not registered. Known intents: {(known.Count == 0 ? "none" : string.Join(", ", known))}.")
{
    public string IntentType { get; } = intentType;
}
