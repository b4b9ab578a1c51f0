using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Runtime.Hosting;
using Agent.Runtime.Memories;
using Agent.Runtime.Services;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace Agent.Runtime.Tools;

/// <summary>A tool the loop can call, with the spec (effective approval, enabled) the policy decides on.</summary>
public sealed record RegisteredTool(AIFunction Function, ToolSpec Spec);

/// <summary>
/// Who a turn runs for: the tools a <see cref="ITurnToolSource"/> offers may depend on it (session and execution null
/// when only listing). <paramref name="Memory"/> limits the memory tools (a team member's scope); null: all of the tenant's.
/// </summary>
public sealed record TurnToolContext(string TenantId, Guid? SessionId, Guid? ExecutionId, Agent.Domain.Memory.MemoryScope? Memory = null);

/// <summary>Tools bound to the turn that offers them (ask_agent knows the session's team and the execution that asks; MCP tools are the tenant's servers' and the install-wide ones).</summary>
public interface ITurnToolSource
{
    Task<IReadOnlyList<AgentTool>> GetToolsAsync(TurnToolContext turn, CancellationToken cancellationToken);
}

/// <summary>The tools of one turn: what the model is offered and what the loop may run.</summary>
public sealed class ToolSet(IReadOnlyList<RegisteredTool> tools)
{
    public static ToolSet Empty { get; } = new([]);

    public IReadOnlyList<RegisteredTool> Tools => tools;

    public RegisteredTool? Find(string name) => tools.FirstOrDefault(t => string.Equals(t.Spec.Name, name, StringComparison.Ordinal));

    /// <summary>The tools the model is offered: enabled and not set to never.</summary>
    public IList<AITool> ForModel() =>
        tools.Where(t => t.Spec.Enabled && t.Spec.Approval != ToolApproval.Never).Select(t => (AITool)t.Function).ToList();
}

/// <summary>The live tool registry: built-ins, load_skill and the turn's tools (the tenant's and install-wide MCP servers' ready tools, ask_agent), with approvals and toggles.</summary>
public sealed class ToolRegistry(
    IOptions<AgentOptions> options,
    AppInfo app,
    TimeProvider time,
    IHttpClientFactory http,
    SkillCatalog skills,
    ConfigOverrides overrides,
    IStateStore state,
    MemoryService memory,
    IEnumerable<ITurnToolSource>? turnSources = null)
{
    public const string OverrideScope = "tool";

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, WorkspaceFolder> workspaces = new(StringComparer.Ordinal);

    public static string ApprovalScope(string tenantId) => $"tool-approval-overrides:{tenantId}";

    /// <summary>
    /// The tenant's own workspace: the configured folder for the local tenant (as before sign-in), and
    /// <c>&lt;folder&gt;.tenants/&lt;tenant&gt;</c> beside it for every other one, so no tenant's tools see another's files.
    /// </summary>
    public WorkspaceFolder WorkspaceFor(string tenantId) => workspaces.GetOrAdd(tenantId, id =>
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(app.ContentRoot, options.Value.Tools.WorkspaceFolder)));
        if (id != Domain.Sessions.Tenant.LocalId && !Domain.Sessions.Tenant.IsValidId(id))
        {
            throw new ArgumentException($"'{id}' is not a tenant id.", nameof(tenantId));
        }

        return new WorkspaceFolder(id == Domain.Sessions.Tenant.LocalId ? root : Path.Combine(root + ".tenants", id), options.Value.Tools.MaxFileBytes);
    });

    public Task<ToolSet> GetToolsAsync(string tenantId, CancellationToken cancellationToken) =>
        GetToolsAsync(new TurnToolContext(tenantId, null, null), cancellationToken);

    /// <summary>The live tools with their effective approval and toggle, including the tools bound to <paramref name="turn"/>.</summary>
    public async Task<ToolSet> GetToolsAsync(TurnToolContext turn, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(turn);
        var tenantId = turn.TenantId;
        var config = options.Value.Tools;
        var functions = new List<AgentTool> { BuiltInTools.Time(time), BuiltInTools.Calculator() };
        functions.AddRange(BuiltInTools.Workspace(WorkspaceFor(tenantId)));
        functions.AddRange(MemoryTools.For(memory, tenantId, turn.SessionId, turn.Memory ?? Agent.Domain.Memory.MemoryScope.Whole));
        if (config.EnableFetch)
        {
            functions.Add(BuiltInTools.Fetch(http, config.FetchMaxBytes));
        }

        var (skillSpecs, _) = await skills.ScanAsync(tenantId, cancellationToken);
        if (skillSpecs.Any(s => s.Enabled))
        {
            functions.Add(BuiltInTools.Skills(skills, tenantId));
        }

        foreach (var source in turnSources ?? [])
        {
            functions.AddRange(await source.GetToolsAsync(turn, cancellationToken));
        }

        var enabled = await overrides.EnabledAsync(tenantId, OverrideScope, cancellationToken);
        var personApprovals = (await state.ListAsync(ApprovalScope(tenantId), cancellationToken))
            .ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        var registered = new List<RegisteredTool>();
        foreach (var function in functions)
        {
            ToolApproval? configured = config.Approvals.TryGetValue(function.Name, out var c) && ToolApprovalPolicy.TryParseApproval(c, out var ca) ? ca : null;
            ToolApproval? person = personApprovals.TryGetValue(function.Name, out var p) && ToolApprovalPolicy.TryParseApproval(p, out var pa) ? pa : null;
            var spec = new ToolSpec(
                function.Name,
                function.Description,
                function.ParametersSchemaJson,
                function.Source,
                function.Effects,
                ToolApprovalPolicy.EffectiveApproval(function.Effects, configured, person),
                !enabled.TryGetValue(function.Name, out var on) || on,
                AlwaysAsks: person == ToolApproval.Ask);
            registered.Add(new RegisteredTool(function, spec));
        }

        return new ToolSet(registered);
    }

    public Task SetEnabledAsync(string tenantId, string toolName, bool enabled, CancellationToken cancellationToken) =>
        overrides.SetEnabledAsync(tenantId, OverrideScope, toolName, enabled, cancellationToken);

    /// <summary>The person's approval for a tool; null goes back to the configured or default approval.</summary>
    public Task SetApprovalAsync(string tenantId, string toolName, ToolApproval? approval, CancellationToken cancellationToken) =>
        approval is { } a
            ? state.SetAsync(new StateEntry(ApprovalScope(tenantId), toolName, a.ToString().ToLowerInvariant(), time.GetUtcNow()), cancellationToken)
            : state.RemoveAsync(ApprovalScope(tenantId), toolName, cancellationToken);

    /// <summary>
    /// The tenant's ask, auto or off for a tool. Off is the tool's disabled switch (one notion of off); ask is the tenant's
    /// approval override "ask", which the policy applies in every mode; auto removes the override and enables the tool.
    /// </summary>
    public async Task SetSettingAsync(string tenantId, string toolName, ToolSetting setting, CancellationToken cancellationToken)
    {
        await SetEnabledAsync(tenantId, toolName, setting != ToolSetting.Off, cancellationToken);
        await SetApprovalAsync(tenantId, toolName, setting == ToolSetting.Ask ? ToolApproval.Ask : null, cancellationToken);
    }

    /// <summary>The session's tool mode (the configured default until the person picks one).</summary>
    public async Task<SessionToolMode> GetModeAsync(string tenantId, Guid? sessionId, CancellationToken cancellationToken) =>
        ModeFrom(sessionId is { } id ? await state.GetAsync(StateScopes.Session(tenantId, id), SessionStateKeys.ToolMode, cancellationToken) : null);

    private SessionToolMode ModeFrom(string? stored) =>
        ToolApprovalPolicy.TryParseMode(stored, out var chosen) ? chosen
        : ToolApprovalPolicy.TryParseMode(options.Value.Tools.Mode, out var configured) ? configured
        : SessionToolMode.AskForWrites;

    public Task SetModeAsync(string tenantId, Guid sessionId, SessionToolMode mode, CancellationToken cancellationToken) =>
        state.SetAsync(new StateEntry(StateScopes.Session(tenantId, sessionId), SessionStateKeys.ToolMode, mode.ToString(), time.GetUtcNow()), cancellationToken);

    /// <summary>Everything <see cref="AgentLoop.RunAsync"/> needs for one turn of a session: the live tools and the session's mode.</summary>
    public async Task<AgentLoopRequest> PrepareTurnAsync(string tenantId, Guid? sessionId, Guid? executionId, CancellationToken cancellationToken) =>
        new(tenantId, sessionId, executionId, await GetToolsAsync(new TurnToolContext(tenantId, sessionId, executionId), cancellationToken), await GetModeAsync(tenantId, sessionId, cancellationToken));

    /// <summary>The same, with the session's tool mode as its state holds it (null: absent), read by the caller with the rest of that state.</summary>
    public async Task<AgentLoopRequest> PrepareTurnAsync(string tenantId, Guid sessionId, Guid? executionId, string? storedMode, CancellationToken cancellationToken) =>
        new(tenantId, sessionId, executionId, await GetToolsAsync(new TurnToolContext(tenantId, sessionId, executionId), cancellationToken), ModeFrom(storedMode));
}
