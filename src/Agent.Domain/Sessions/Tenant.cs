namespace Agent.Domain.Sessions;

/// <summary>A tenant owns sessions, memory and executions. A single-user install has one: "local".</summary>
public sealed partial record Tenant(string Id, string DisplayName, DateTimeOffset CreatedAt)
{
    public const string LocalId = "local";

    /// <summary>The rule <see cref="IsValidNewId"/> checks, as error messages name it.</summary>
    public const string NewIdRule = "^[a-z0-9][a-z0-9_-]{0,63}$ (1-64 lowercase letters, digits, '_' or '-', starting with a letter or digit)";

    /// <summary>1-64 letters, digits, '.', '_' or '-', starting with a letter or digit ("." and ".." are not tenants: an id names folders).</summary>
    /// <remarks>Lenient on purpose: tenants created under this rule keep working. A new tenant id must pass <see cref="IsValidNewId"/>.</remarks>
    public static bool IsValidId(string? id) => id is not null && IdPattern().IsMatch(id);

    /// <summary>The rule for a tenant id named for the first time: lowercase letters, digits, '_' and '-' only (no '.', no case twins).</summary>
    public static bool IsValidNewId(string? id) => id is not null && NewIdPattern().IsMatch(id);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial System.Text.RegularExpressions.Regex IdPattern();

    // \z, not $: $ also matches before a final "\n".
    [System.Text.RegularExpressions.GeneratedRegex(@"^[a-z0-9][a-z0-9_-]{0,63}\z")]
    private static partial System.Text.RegularExpressions.Regex NewIdPattern();
}
