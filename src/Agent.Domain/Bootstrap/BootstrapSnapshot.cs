using Agent.Domain.Memory;
using Agent.Domain.Providers;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;

namespace Agent.Domain.Bootstrap;

/// <summary>
/// Everything the shell needs to render every panel's real state, read from the running server. A member's snapshot has
/// no install details: <see cref="StoragePath"/> and <see cref="SchemaVersion"/> are empty, providers have no base URL or
/// key variable, MCP servers no command, args or URL, skills no folder.
/// </summary>
public sealed record BootstrapSnapshot(
    string AppVersion,
    string SchemaVersion,
    string StoragePath,
    string TenantId,
    string DefaultProvider,
    string DefaultModel,
    IReadOnlyList<ProviderStatus> Providers,
    IReadOnlyList<ToolSpec> Tools,
    IReadOnlyList<SkillSpec> Skills,
    IReadOnlyList<McpServerStatus> McpServers,
    IReadOnlyDictionary<MemoryTier, int> MemoryCounts,
    int CheckpointCount,
    int SessionCount,
    int MessageCount,
    TokenTotals TokenTotals,
    TelemetryDefaults Telemetry,
    IReadOnlyList<TeamSummary>? Teams = null);

/// <summary>A team as the Team panel lists it: its coordinator and members (profile ids).</summary>
public sealed record TeamSummary(string Id, string Name, string Coordinator, IReadOnlyList<string> Members);

public sealed record ProviderStatus(
    string Name,
    ProviderKind Kind,
    ProviderMode Mode,
    ProviderState State,
    string? Reason,
    string? Action,
    string? BaseUrl,
    string? ApiKeyEnvVar,
    IReadOnlyList<ModelSpec> Models);

public sealed record McpServerStatus(string Name, McpTransport Transport, string? Command, IReadOnlyList<string> Args, string? Url, bool Enabled, string State);

public sealed record TelemetryDefaults(string Currency, int ChartDays, bool RecordToolCalls, int FlushIntervalMs, int FlushTokenCount);
