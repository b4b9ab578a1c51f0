namespace Agent.Domain.Runtime;

/// <summary>One persisted key/value of the state surface under a scope (<see cref="StateScopes"/>).</summary>
public sealed record StateEntry(string Scope, string Key, string Value, DateTimeOffset UpdatedAt);
