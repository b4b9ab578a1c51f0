namespace Agent.Domain.Sessions;

/// <summary>A tenant owns sessions, memory and executions. A single-user install has one: "local".</summary>
public sealed record Tenant(string Id, string DisplayName, DateTimeOffset CreatedAt)
{
    public const string LocalId = "local";
}
