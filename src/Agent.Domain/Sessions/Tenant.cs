namespace Agent.Domain.Sessions;

/// <summary>A tenant owns sessions, memory and executions. A single-user install has one: "local".</summary>
public sealed partial record Tenant(string Id, string DisplayName, DateTimeOffset CreatedAt)
{
    public const string LocalId = "local";

    /// <summary>1-64 letters, digits, '.', '_' or '-', starting with a letter or digit ("." and ".." are not tenants: an id names folders).</summary>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex IdPattern();
}
