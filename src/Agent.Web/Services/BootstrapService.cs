using Agent.Data;
using Agent.Domain.Bootstrap;
using Agent.Domain.Configuration;
using Agent.Domain.Storage;
using Agent.Runtime.Hosting;
using Agent.Runtime.Mcp;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;
using Microsoft.Extensions.Options;

namespace Agent.Web.Services;

/// <summary>Builds the <see cref="BootstrapSnapshot"/> every panel renders from; the UI and /api/bootstrap share it.</summary>
public sealed class BootstrapService(
    AppInfo app,
    AgentDatabase database,
    IOptions<AgentOptions> options,
    ProviderCatalog providers,
    SkillCatalog skills,
    IMemoryStore memory,
    ICheckpointStore checkpoints,
    ISessionStore sessions,
    IMessageStore messages,
    ITokenUsageStore tokens,
    ToolRegistry toolRegistry,
    McpServerManager mcp,
    Agent.Runtime.Services.TeamCatalog teams)
{
    public const string McpOverrideScope = "mcp";

    /// <param name="installDetails">
    /// True for an administrator (the loopback owner is one): paths, base URLs, key variables and MCP command lines are
    /// included. A member gets none of them, and a blocked provider tells them to ask an administrator.
    /// </param>
    public async Task<BootstrapSnapshot> GetAsync(string tenantId, bool installDetails, CancellationToken cancellationToken)
    {
        var agent = options.Value;
        var providerStatuses = providers.Providers.Select(p =>
        {
            var availability = installDetails ? providers.AvailabilityOf(p.Name) : providers.AvailabilityOf(p.Name).ForMember();
            return installDetails
                ? new ProviderStatus(p.Name, p.Kind, p.Mode, availability.State, availability.Reason, availability.Action, p.BaseUrl?.ToString(), p.ApiKeyEnvVar, p.Models)
                : new ProviderStatus(p.Name, p.Kind, p.Mode, availability.State, availability.Reason, availability.Action, null, null, p.Models);
        }).ToList();

        var mcpServers = (await mcp.ListAsync(tenantId, installDetails, cancellationToken))
            .Select(v => new McpServerStatus(v.Spec.Name, v.Spec.Transport, v.Spec.Command, v.Spec.Args, v.Spec.Url?.ToString(), v.Spec.Enabled, McpServerManager.StateName(v.State)))
            .ToList();

        var (skillSpecs, _) = await skills.ScanAsync(tenantId, cancellationToken);
        if (!installDetails)
        {
            skillSpecs = skillSpecs.Select(s => s with { FolderPath = "" }).ToList();
        }

        var sessionCount = await sessions.CountAsync(tenantId, cancellationToken);

        return new BootstrapSnapshot(
            app.Version,
            installDetails ? await database.SchemaVersionAsync(cancellationToken) : "",
            installDetails ? app.DatabasePath : "",
            tenantId,
            providers.Default?.Provider.Name ?? "",
            providers.Default?.Model.Id ?? "",
            providerStatuses,
            (await toolRegistry.GetToolsAsync(tenantId, cancellationToken)).Tools.Select(t => t.Spec).ToList(),
            skillSpecs,
            mcpServers,
            await memory.CountByTierAsync(tenantId, cancellationToken),
            await checkpoints.CountAsync(tenantId, cancellationToken),
            sessionCount,
            await messages.CountAsync(tenantId, cancellationToken),
            await tokens.TotalsAsync(tenantId, cancellationToken),
            new TelemetryDefaults(agent.Telemetry.Currency, agent.Telemetry.ChartDays, agent.Telemetry.RecordToolCalls, agent.Streaming.FlushIntervalMs, agent.Streaming.FlushTokenCount),
            (await teams.TeamsAsync(tenantId, cancellationToken)).Select(t => new TeamSummary(t.Value.Id, t.Value.Name, t.Value.Coordinator, t.Value.Members)).ToList());
    }
}
