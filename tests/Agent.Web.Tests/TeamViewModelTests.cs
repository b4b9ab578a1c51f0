using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Runtime.Teams;
using Agent.Web.Components.Pages;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>The Team page's view model over the real host's services: what it loads, which run it shows, and its words.</summary>
public sealed class TeamViewModelTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly AgentAppFactory app = new();

    public void Dispose() => app.Dispose();

    private TeamViewModel NewModel() => ActivatorUtilities.CreateInstance<TeamViewModel>(app.Services, new LocalTenant());

    [Fact]
    public async Task Loads_the_shipped_team_and_profiles_and_names_them()
    {
        var model = NewModel();
        Assert.Equal(PanelStateKind.Loading, model.State);
        Assert.Null(model.Badge);

        await model.LoadAsync(None);

        Assert.Equal(PanelStateKind.Ready, model.State);
        Assert.Null(model.StateMessage);
        Assert.Equal("1 team · 3 profiles", model.Badge);
        Assert.Equal("Coder", model.ProfileName("CODER"));
        Assert.Equal("nobody", model.ProfileName("nobody"));
        Assert.Equal("Default team", model.TeamName("default"));
        Assert.Equal("assistant", model.NewTeam().Coordinator);
        Assert.Empty(model.Runs);
        Assert.Null(model.SelectedRun);
        Assert.Null(model.Tree);
        Assert.False(model.TreeIsLive);
    }

    [Fact]
    public async Task A_profile_may_be_given_every_tool_but_ask_agent_and_every_listed_model()
    {
        var model = NewModel();

        var (tools, models) = await model.ProfileChoicesAsync(None);

        Assert.Contains("calculator", tools);
        Assert.DoesNotContain(AskAgentToolSource.ToolName, tools);
        Assert.Equal(tools.Order(), tools);
        var providers = app.Services.GetRequiredService<ProviderCatalog>().Providers;
        Assert.Equal(providers.Sum(p => p.Models.Count), models.Count);
        Assert.All(models, m => Assert.Contains('/', m));
    }

    [Fact]
    public async Task Shows_the_newest_run_until_another_is_picked_and_keeps_the_pick_across_refreshes()
    {
        var runtime = app.Services.GetRequiredService<ExecutionRuntime>();
        var session = await app.Services.GetRequiredService<SessionService>().CreateAsync("local", "team", None);
        var older = await SubmitAsync(runtime, session.Id, steps: 1);
        var olderMember = await SubmitAsync(runtime, session.Id, steps: 1);
        var newer = await SubmitAsync(runtime, session.Id, steps: 200);
        var newerMember = await SubmitAsync(runtime, session.Id, steps: 200);
        var start = DateTimeOffset.UtcNow;
        await AddMemberAsync(session.Id, older, olderMember, start.AddMinutes(-1));
        await AddMemberAsync(session.Id, newer, newerMember, start);
        var model = NewModel();

        await model.LoadAsync(None);

        Assert.Equal([newer, older], model.Runs.Select(r => r.RootExecutionId));
        Assert.Equal(newer, model.SelectedRun);
        Assert.Equal([newer, newerMember], model.Tree!.SelfAndDescendants().Select(n => n.Id));
        Assert.True(model.TreeIsLive);
        Assert.Equal(2, model.TreeRunning);
        Assert.EndsWith(" · 1 task · Default team", model.RunLabel(model.Runs[0]), StringComparison.Ordinal);

        await model.SelectRunAsync(older, None);
        await model.RefreshRunsAsync(None);

        Assert.Equal(older, model.SelectedRun);
        Assert.True(model.Concerns(Change("send_message", older)));
        Assert.False(model.Concerns(Change("send_message", newer)));
        Assert.Equal([older, olderMember], model.Tree!.SelfAndDescendants().Select(n => n.Id));
        Assert.Empty(model.Interrupted);
        await runtime.CancelAsync("local", newerMember, None);
        await runtime.CancelAsync("local", newer, None);
    }

    [Fact]
    public async Task Feed_changes_of_member_tasks_concern_the_page_and_other_runs_do_not()
    {
        var model = NewModel();
        await model.LoadAsync(None);

        Assert.True(model.Concerns(Change(RunTeamTaskIntent.Name)));
        Assert.False(model.Concerns(Change("send_message")));
    }

    [Fact]
    public async Task A_trace_is_titled_by_the_agent_and_the_intent_in_words()
    {
        var model = NewModel();
        await model.LoadAsync(None);

        var member = Node("run_team_task", agent: "coder", agentName: "Coder", taskId: Guid.NewGuid(), depth: 1);
        var root = Node("send_message", agent: "assistant", agentName: "assistant", taskId: null, depth: 0, children: [member]);
        var anonymous = Node("send_message", agent: null, agentName: null, taskId: null, depth: 0);

        Assert.Equal("Coder · Team task", model.TraceTitle(member));
        Assert.Equal("Assistant · Reply in chat", model.TraceTitle(root));
        Assert.Equal("agent · Reply in chat", model.TraceTitle(anonymous));
    }

    private static ExecutionChange Change(string intent, Guid? id = null) =>
        new(new ExecutionRecord(id ?? Guid.NewGuid(), "local", intent, "Handler", null, null, ExecutionStatus.Running, 0, null, 1, null, null, "{}", DateTimeOffset.UtcNow, null, null), null);

    private static RunTreeNode Node(string intent, string? agent, string? agentName, Guid? taskId, int depth, IReadOnlyList<RunTreeNode>? children = null) =>
        new(Guid.NewGuid(), intent, agent, agentName, "Completed", null, null, taskId, depth, 0, 0, 0, null, null, DateTimeOffset.UtcNow, null, null, children ?? []);

    private static async Task<Guid> SubmitAsync(ExecutionRuntime runtime, Guid sessionId, int steps)
    {
        var submitted = await runtime.SubmitAsync(
            new ExecutionRequest(DiagnosticIntents.LongTask, "local", sessionId, null, new Dictionary<string, string> { ["steps"] = steps.ToString(System.Globalization.CultureInfo.InvariantCulture), ["stepMs"] = "100" }, null),
            None);
        var until = DateTime.UtcNow + Wait;
        while ((await runtime.FindAsync("local", submitted.Execution.Id, None))!.Status is ExecutionStatus.Created or ExecutionStatus.Queued)
        {
            Assert.True(DateTime.UtcNow < until, "The stand-in execution did not start.");
            await Task.Delay(20);
        }

        return submitted.Execution.Id;
    }

    private Task AddMemberAsync(Guid sessionId, Guid root, Guid member, DateTimeOffset at) =>
        app.Services.GetRequiredService<ITeamTaskStore>().AddAsync(TeamTasks.Member(sessionId, root, member, at), None);
}
