using System.Text.Json;
using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Teams;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;
using Agent.Runtime.Chat;
using Agent.Runtime.Chat.Context;
using Agent.Runtime.Clients;
using Agent.Runtime.Services;
using Agent.Runtime.Telemetry;
using Agent.Runtime.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using ChatMessage = Microsoft.Extensions.AI.ChatMessage;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Teams;

/// <summary>The run_team_task intent: one team member works on the task its coordinator handed it through ask_agent.</summary>
public static class RunTeamTaskIntent
{
    public const string Name = "run_team_task";
    public const string TaskIdKey = "taskId";
    public const string AgentKey = "agent";
    public const string ParentKey = Agent.Runtime.Runtime.ExecutionRuntime.ParentExecutionKey;

    /// <summary>
    /// One attempt, left interrupted after a restart: the caller that waited for it is gone, so the Team panel offers
    /// Resume (re-run the interrupted members, then let the coordinator go on with their answers). The intent's
    /// timeout is only a backstop; the team's MaxSecondsPerTask ends a task first.
    /// </summary>
    public static IntentMetadata Metadata { get; } = new(
        "A team member's task: a child execution of the chat turn (or of another member) with its own model, tools and limits.",
        new IntentPolicy(TimeSpan.FromHours(2), 1, RecoveryPolicy.Leave, BackoffOptions.Default),
        RunsInParentSlot: true,
        IdKeys: [new(TaskIdKey, OwnedIdKind.TeamTask), new(ParentKey, OwnedIdKind.Execution)]);
}

/// <summary>Runs a member's turn through <see cref="AgentLoop"/> and keeps its messages, tokens and cost on the <see cref="TeamTask"/>.</summary>
public sealed class RunTeamTaskHandler(
    ITeamTaskStore tasks,
    ISessionStore sessions,
    TeamCatalog catalog,
    TeamTaskService runs,
    IChatClientSource clients,
    ToolRegistry registry,
    AgentLoop loop,
    ChatTurnStreamer chat,
    ChatContextService contexts,
    IOptions<AgentOptions> options,
    ITokenCounter counter,
    ITraceStore traces,
    TimeProvider time,
    ILogger<RunTeamTaskHandler> logger) : IIntentHandler
{
    public async Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Guid.TryParse(context.ParameterValue(RunTeamTaskIntent.TaskIdKey), out var taskId)
            || await tasks.FindAsync(context.TenantId, taskId, cancellationToken) is not { } task
            || (context.SessionId is { } sessionId && task.SessionId != sessionId))
        {
            throw new PermanentIntentFailureException($"metadata '{RunTeamTaskIntent.TaskIdKey}' must name a stored team task.");
        }

        var team = await catalog.FindTeamAsync(context.TenantId, task.TeamId, cancellationToken)
            ?? throw new PermanentIntentFailureException($"The team '{task.TeamId}' no longer exists.");
        var profile = await catalog.FindProfileAsync(context.TenantId, task.AgentId, cancellationToken)
            ?? throw new PermanentIntentFailureException($"The profile '{task.AgentId}' no longer exists.");
        var session = await sessions.FindAsync(context.TenantId, task.SessionId, cancellationToken)
            ?? throw new PermanentIntentFailureException($"The chat session {task.SessionId} no longer exists.");
        ChatClientLease lease;
        try
        {
            lease = clients.Resolve(string.IsNullOrWhiteSpace(profile.Provider) ? session : session with { ProviderName = profile.Provider, ModelId = profile.Model ?? session.ModelId });
        }
        catch (ChatRefusedException ex)
        {
            throw new PermanentIntentFailureException(ex.Message);
        }

        var run = new MemberRun(task with { ExecutionId = context.ExecutionId, Parts = [], Result = null, IsError = false, ProviderName = lease.ProviderName, ModelId = lease.ModelId, InputTokens = 0, OutputTokens = 0, Cost = null });
        await tasks.UpdateAsync(run.Snapshot(time.GetUtcNow()), cancellationToken);
        var memoryScope = MemoryScope.ForMember(profile.MemoryScope, task.SessionId, profile.Id);
        var request = new AgentLoopRequest(
            context.TenantId,
            task.SessionId,
            context.ExecutionId,
            ForProfile(await registry.GetToolsAsync(new TurnToolContext(context.TenantId, task.SessionId, context.ExecutionId, memoryScope), cancellationToken), profile),
            await registry.GetModeAsync(context.TenantId, task.SessionId, cancellationToken),
            team.Limits.MaxSteps);
        var budget = await runs.BudgetAsync(context.TenantId, task.RootExecutionId, cancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(team.Limits.MaxSecondsPerTask));
        var breach = TeamLimitBreach.None;
        var surfaced = new HashSet<string>(StringComparer.Ordinal);
        var callbacks = new AgentLoopCallbacks
        {
            ToolCallRequested = async (call, _) =>
            {
                run.Add(call.ToCallPart());
                await tasks.UpdateAsync(run.Snapshot(time.GetUtcNow()), CancellationToken.None);

                // A member's call that waits for the person shows (with Approve/Deny) on the chat reply that started the run.
                if (call.Verdict == ApprovalVerdict.Ask && chat.StreamingTurnFor(task.ReplyMessageId) is { } parentTurn)
                {
                    lock (surfaced)
                    {
                        surfaced.Add(call.CallId);
                    }

                    await chat.PublishToolPartAsync(parentTurn, new ToolCallPart(call.CallId, $"{profile.Name} › {call.ToolName}", call.ArgumentsJson));
                }
            },
            ToolCallCompleted = async (call, _) =>
            {
                run.Add(call.ToResultPart());
                await tasks.UpdateAsync(run.Snapshot(time.GetUtcNow()), CancellationToken.None);
                bool wasSurfaced;
                lock (surfaced)
                {
                    wasSurfaced = surfaced.Contains(call.CallId);
                }

                if (wasSurfaced && chat.StreamingTurnFor(task.ReplyMessageId) is { } parentTurn)
                {
                    await chat.PublishToolPartAsync(parentTurn, call.ToResultPart());
                }
            },
        };
        List<ChatMessage> prompt =
        [
            new(ChatRole.System, SystemPrompt(profile, team)),
            .. await contexts.MemberMemoryAsync(context.TenantId, memoryScope, task.Task, cancellationToken),
            new(ChatRole.User, task.Task),
        ];
        // A member's text is saved as often as a chat reply's (Agent:Streaming), so a crash loses at most one flush of it.
        var streaming = options.Value.Streaming;
        var lastWrite = time.GetTimestamp();
        var chunksSinceWrite = 0;
        try
        {
            // Recorded under the member's own execution, so its run's trace shows its model calls (the coordinator's are on its turn).
            using var recorder = new ProviderCallRecorder(
                lease.Client,
                new ProviderCallScope(context.TenantId, task.SessionId, context.ExecutionId, lease.ProviderName, lease.ModelId),
                counter,
                traces,
                time,
                logger);
            var client = new CallIdScopingChatClient(recorder, $"{context.ExecutionId:N}"[..8] + "-");
            await foreach (var update in loop.RunAsync(client, prompt, new ChatOptions { ModelId = lease.ModelId }, request, callbacks, limit.Token))
            {
                if (update.Role == ChatRole.Tool)
                {
                    continue;
                }

                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case TextContent { Text.Length: > 0 } text:
                            run.AppendText(text.Text);
                            chunksSinceWrite++;
                            break;
                        case UsageContent usage:
                            var added = run.AddUsage(usage.Details);
                            breach = TeamLimits.Check(run.Tokens, budget.Add(added), team.Limits);
                            break;
                    }
                }

                if (breach != TeamLimitBreach.None)
                {
                    await limit.CancelAsync();
                    break;
                }

                if (chunksSinceWrite > 0 && (chunksSinceWrite >= streaming.FlushTokenCount || time.GetElapsedTime(lastWrite).TotalMilliseconds >= streaming.FlushIntervalMs))
                {
                    await tasks.UpdateAsync(run.Snapshot(time.GetUtcNow()), CancellationToken.None);
                    lastWrite = time.GetTimestamp();
                    chunksSinceWrite = 0;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await EndAsync(run, lease, "Stopped before finishing.", isError: true);
            throw;
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && breach == TeamLimitBreach.None)
        {
            var reason = $"Stopped: the time limit of {team.Limits.MaxSecondsPerTask} s per task was reached.";
            await EndAsync(run, lease, reason, isError: true);
            throw new PermanentIntentFailureException(reason);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not PermanentIntentFailureException)
        {
            logger.LogWarning(ex, "Team task {TaskId} ({Agent}) failed", task.Id, profile.Id);
            await EndAsync(run, lease, ex.Message, isError: true);
            throw new PermanentIntentFailureException($"{profile.Name} failed: {ex.Message}");
        }

        if (breach != TeamLimitBreach.None)
        {
            var reason = TeamLimits.Describe(breach, team.Limits);
            await EndAsync(run, lease, reason, isError: true);
            throw new PermanentIntentFailureException(reason);
        }

        var answer = run.Text.Trim();
        await EndAsync(run, lease, answer.Length == 0 ? "(no answer)" : answer, isError: false);
        return new IntentResult([], [new DomainEvent("team.task_completed", JsonSerializer.Serialize(new { taskId = task.Id, agent = profile.Id, tokens = run.Tokens }))]);
    }

    /// <summary>
    /// The profile's tools (all enabled ones when it names none; ask_agent stays whenever the depth allows it), and
    /// load_skill limited to the profile's skills when it names some.
    /// </summary>
    internal static ToolSet ForProfile(ToolSet tools, AgentProfileOptions profile)
    {
        var kept = profile.Tools.Count == 0
            ? tools.Tools
            : tools.Tools.Where(t => t.Spec.Name == AskAgentToolSource.ToolName || profile.Tools.Contains(t.Spec.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        if (profile.Skills.Count == 0)
        {
            return new ToolSet(kept);
        }

        return new ToolSet(kept.Select(t => t.Spec.Name == BuiltInTools.LoadSkill && t.Function is AgentTool skill ? new RegisteredTool(OnlySkills(skill, profile), t.Spec) : t).ToList());
    }

    private static AgentTool OnlySkills(AgentTool loadSkill, AgentProfileOptions profile) =>
        new(new OnlyProfileSkills(loadSkill, profile), loadSkill.Source, loadSkill.Effects);

    /// <summary>load_skill limited to the skills a profile names (the tool it wraps has checked that 'name' is given).</summary>
    private sealed class OnlyProfileSkills(AgentTool loadSkill, AgentProfileOptions profile) : DelegatingAIFunction(loadSkill)
    {
        public override string Description => $"{loadSkill.Description} Skills this agent may load: {string.Join(", ", profile.Skills)}.";

        protected override ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken) =>
            arguments.TryGetValue("name", out var name) && profile.Skills.Contains(name?.ToString(), StringComparer.OrdinalIgnoreCase)
                ? base.InvokeCoreAsync(arguments, cancellationToken)
                : throw new ToolException($"{profile.Name} may load only these skills: {string.Join(", ", profile.Skills)}.");
    }

    private static string SystemPrompt(AgentProfileOptions profile, TeamOptions team)
    {
        var role = $"You are {profile.Name}, a member of the team '{team.Name}'. Another agent handed you the task below; do it and answer with the result itself, which goes back to that agent.";
        return string.IsNullOrWhiteSpace(profile.SystemPrompt) ? role : $"{profile.SystemPrompt}\n\n{role}";
    }

    private async Task EndAsync(MemberRun run, ChatClientLease lease, string result, bool isError)
    {
        var usage = new TokenUsage(run.InputTokens, run.OutputTokens, 0, 0, lease.ModelId, lease.ProviderName);
        var cost = run.HasUsage ? AgentOptionsValidator.ToPriceTable(options.Value).Price(usage)?.Amount : null;
        await tasks.UpdateAsync(run.Snapshot(time.GetUtcNow()) with { Result = result, IsError = isError, Cost = cost }, CancellationToken.None);
    }

    /// <summary>The member's reply as it grows; tool callbacks arrive from parallel calls, so every change takes the lock.</summary>
    private sealed class MemberRun(TeamTask task)
    {
        private readonly Lock gate = new();
        private readonly List<MessagePart> parts = [];
        private readonly System.Text.StringBuilder text = new();
        private long input;
        private long output;

        public bool HasUsage { get; private set; }

        public long InputTokens => Interlocked.Read(ref input);

        public long OutputTokens => Interlocked.Read(ref output);

        public long Tokens => InputTokens + OutputTokens;

        public string Text
        {
            get
            {
                lock (gate)
                {
                    return string.Concat(parts.OfType<TextPart>().Select(p => p.Text)) + text;
                }
            }
        }

        public void AppendText(string chunk)
        {
            lock (gate)
            {
                text.Append(chunk);
            }
        }

        public void Add(MessagePart part)
        {
            lock (gate)
            {
                FlushText();
                parts.Add(part);
            }
        }

        /// <summary>Adds one model call's usage; returns its tokens.</summary>
        public long AddUsage(UsageDetails details)
        {
            HasUsage = true;
            var i = details.InputTokenCount ?? 0;
            var o = details.OutputTokenCount ?? 0;
            Interlocked.Add(ref input, i);
            Interlocked.Add(ref output, o);
            return i + o;
        }

        public TeamTask Snapshot(DateTimeOffset now)
        {
            lock (gate)
            {
                var all = new List<MessagePart>(parts);
                if (text.Length > 0)
                {
                    all.Add(new TextPart(text.ToString()));
                }

                return task with { Parts = all, InputTokens = InputTokens, OutputTokens = OutputTokens, UpdatedAt = now };
            }
        }

        private void FlushText()
        {
            if (text.Length > 0)
            {
                parts.Add(new TextPart(text.ToString()));
                text.Clear();
            }
        }
    }
}

/// <summary>
/// Prefixes the call ids a member's model returns, so they cannot collide with the coordinator's (many providers
/// number calls per response; approvals and tool cards in the chat are keyed by call id).
/// </summary>
internal sealed class CallIdScopingChatClient(IChatClient inner, string prefix) : DelegatingChatClient(inner)
{
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            for (var i = 0; i < update.Contents.Count; i++)
            {
                if (update.Contents[i] is FunctionCallContent call && !string.IsNullOrEmpty(call.CallId) && !call.CallId.StartsWith(prefix, StringComparison.Ordinal))
                {
                    update.Contents[i] = new FunctionCallContent(prefix + call.CallId, call.Name, call.Arguments);
                }
            }

            yield return update;
        }
    }
}
