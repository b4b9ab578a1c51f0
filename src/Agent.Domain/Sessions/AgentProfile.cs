namespace Agent.Domain.Sessions;

/// <summary>A named agent: its instructions, default model and the tools it may use (empty = all enabled).</summary>
public sealed record AgentProfile(
    string Id,
    string Name,
    string SystemPrompt,
    string? ProviderName,
    string? ModelId,
    IReadOnlyList<string> ToolNames);
