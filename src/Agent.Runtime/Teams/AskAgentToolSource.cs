using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using Agent.Domain.Teams;
using Agent.Domain.Tools;
using Agent.Runtime.Services;
using Agent.Runtime.Tools;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Teams;

/// <summary>
/// Offers ask_agent to a turn whose agent may delegate: a chat turn of a session bound to a team, or a member's turn
/// below the team's depth limit. It has no effects of its own, so it runs without approval by default (it spends
/// tokens inside the team's limits; a member's tools keep their own approval rules); Agent:Tools:Approvals:ask_agent
/// or the Tools panel can set it to ask like any other tool.
/// </summary>
public sealed class AskAgentToolSource(IServiceProvider services, TeamCatalog catalog) : ITurnToolSource
{
    public const string ToolName = "ask_agent";

    // Resolved on first use: the runs service needs the runtime, whose send_message handler needs the tool registry, which needs this source.
    private readonly Lazy<TeamTaskService> lazyRuns = new(services.GetRequiredService<TeamTaskService>);

    private TeamTaskService Runs => lazyRuns.Value;

    public async Task<IReadOnlyList<AgentTool>> GetToolsAsync(TurnToolContext turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        if (turn.SessionId is not { } sessionId || turn.ExecutionId is not { } executionId)
        {
            // Listing (Tools panel, approvals): the tool exists when any team does, so its approval can be set.
            var teams = await catalog.TeamsAsync(turn.TenantId, cancellationToken);
            return teams.Count == 0 ? [] : [Create(teams[0].Value.Members, "Hand a sub-task to a member of the chat's team and get the member's answer (only in a chat bound to a team).", null)];
        }

        var position = await Runs.PositionOfAsync(turn.TenantId, sessionId, executionId, cancellationToken);
        if (position is null || !TeamLimits.CanDelegate(position.Depth, position.Team.Limits))
        {
            return [];
        }

        var members = new List<string>();
        foreach (var id in position.Team.Members)
        {
            var profile = await catalog.FindProfileAsync(turn.TenantId, id, cancellationToken);
            members.Add(profile is null ? id : $"{profile.Id} ({profile.Name}{(string.IsNullOrWhiteSpace(profile.Description) ? "" : ": " + profile.Description)})");
        }

        var description = $"Hand a sub-task to a member of the team '{position.Team.Name}' and get the member's answer. Members: {string.Join("; ", members)}. "
            + "Give the member everything it needs in 'task'; it does not see this conversation. Call it several times in one response to let members work in parallel.";
        return [Create(position.Team.Members, description, new DelegationCaller(turn.TenantId, sessionId, executionId))];
    }

    private AgentTool Create(IReadOnlyList<string> members, string description, DelegationCaller? caller)
    {
        var function = AgentTool.FromMethod(
            async (
                [Description("The member's profile id.")] string agent,
                [Description("What the member should do, with all the context it needs.")] string task,
                AIFunctionArguments arguments,
                CancellationToken cancellationToken) =>
            {
                if (caller is null)
                {
                    throw new ToolException("ask_agent works only in a chat bound to a team.");
                }

                var callId = arguments.Context?.TryGetValue(AgentLoop.CallIdContextKey, out var id) == true ? id as string : null;
                return await Runs.DelegateAsync(caller, agent, task, callId ?? Guid.NewGuid().ToString("N"), cancellationToken);
            },
            ToolName,
            description);
        return new AgentTool(new OneOfMembers(function, members), ToolSource.BuiltIn, ToolEffects.None)
        {
            // The member's own time limit (Agent:Teams:n:Limits:MaxSecondsPerTask) ends a task; the call waits for that.
            CallTimeout = TimeSpan.FromHours(2),
        };
    }

    /// <summary>
    /// ask_agent's schema with the team's members as the values of 'agent'. The factory's schema hook
    /// (TransformSchemaNode) is not told which parameter a node belongs to, so the list is added to the finished schema.
    /// </summary>
    private sealed class OneOfMembers(AIFunction function, IReadOnlyList<string> members) : DelegatingAIFunction(function)
    {
        public override JsonElement JsonSchema { get; } = WithMembers(function.JsonSchema, members);

        private static JsonElement WithMembers(JsonElement schema, IReadOnlyList<string> members)
        {
            var node = JsonNode.Parse(schema.GetRawText())!;
            node["properties"]!["agent"]!["enum"] = new JsonArray([.. members.Select(m => (JsonNode)JsonValue.Create(m))]);
            return JsonSerializer.SerializeToElement(node);
        }
    }
}
