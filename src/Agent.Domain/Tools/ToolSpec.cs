namespace Agent.Domain.Tools;

/// <summary>always: runs without asking; ask: waits for the person; never: refused.</summary>
public enum ToolApproval
{
    Always,
    Ask,
    Never,
}

[Flags]
public enum ToolEffects
{
    None = 0,
    Writes = 1,
    Deletes = 2,
    Spends = 4,
    Network = 8,
}

public enum ToolSource
{
    BuiltIn,
    Skill,
    Mcp,
}

/// <summary>
/// A tool as the model and the policy see it. <paramref name="AlwaysAsks"/>: the tenant set the tool to ask, so every call
/// waits for the person whatever the session's mode (a configured or default "ask" only applies in ask-for-writes mode).
/// </summary>
public sealed record ToolSpec(
    string Name,
    string Description,
    string ParametersSchemaJson,
    ToolSource Source,
    ToolEffects Effects,
    ToolApproval Approval,
    bool Enabled,
    bool AlwaysAsks = false)
{
    /// <summary>Tools that write, delete, spend or reach the network ask first unless configured otherwise.</summary>
    public static ToolApproval DefaultApprovalFor(ToolEffects effects) =>
        effects == ToolEffects.None ? ToolApproval.Always : ToolApproval.Ask;
}

/// <summary>A skill folder with a SKILL.md; the body is loaded only when the model asks for it.</summary>
public sealed record SkillSpec(string Name, string Description, string FolderPath, bool Enabled);

public enum McpTransport
{
    Stdio,
    StreamableHttp,
    Sse,
}

/// <summary>
/// An MCP server in the shape other clients use. <see cref="EnvironmentVariableNames"/> maps a variable the
/// server receives to the NAME of a variable in our environment, so no secret value is ever stored.
/// </summary>
public sealed partial record McpServerSpec(
    string Name,
    McpTransport Transport,
    string? Command,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> EnvironmentVariableNames,
    Uri? Url,
    bool Enabled)
{
    /// <summary>The longest server name: with "__" and a tool name the model sees it must stay under the 64 characters of a tool name.</summary>
    public const int MaxNameLength = 40;

    /// <summary>What <see cref="IsValidName"/> accepts, in the words an import error uses.</summary>
    public const string NameRule = "1-40 letters, digits, '-' or '_', starting and ending with a letter or digit, without '__' (it separates server and tool in server__tool names)";

    /// <summary>
    /// A name that is its own tool-name prefix: <c>server__tool</c> names keep it unchanged (no character is replaced, so two
    /// servers never share a prefix) and it holds no "__", so the first "__" of a tool name always ends the server's name.
    /// </summary>
    public static bool IsValidName(string? name) => name is not null && NamePattern().IsMatch(name) && !name.Contains("__", StringComparison.Ordinal);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,38}[A-Za-z0-9])?$")]
    private static partial System.Text.RegularExpressions.Regex NamePattern();

    // A record compares its list and dictionary members by reference; every read of the configuration builds new ones,
    // so without this a running server never equals its own spec (it showed "starting" forever and restarted on reload).
    public bool Equals(McpServerSpec? other) =>
        other is not null
        && Name == other.Name
        && Transport == other.Transport
        && Command == other.Command
        && Args.SequenceEqual(other.Args, StringComparer.Ordinal)
        && EnvironmentVariableNames.Count == other.EnvironmentVariableNames.Count
        && EnvironmentVariableNames.All(e => other.EnvironmentVariableNames.TryGetValue(e.Key, out var v) && v == e.Value)
        && Url == other.Url
        && Enabled == other.Enabled;

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Name);
        hash.Add(Transport);
        hash.Add(Command);
        foreach (var arg in Args)
        {
            hash.Add(arg);
        }

        hash.Add(EnvironmentVariableNames.Count);
        hash.Add(Url);
        hash.Add(Enabled);
        return hash.ToHashCode();
    }
}
