using Agent.Domain.Runtime;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Runtime.Teams;
using Agent.Runtime.Tools;
using Agent.Web.Components.Pages;
using Agent.Web.Services;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MudBlazor;
using TeamPage = Agent.Web.Components.Pages.Team;

namespace Agent.Web.Tests;

/// <summary>The Team page over the real host's services (runtime, stores, catalog on a temp SQLite file).</summary>
public sealed class TeamPageTests : AgentTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly AgentAppFactory app = new();
    private readonly IRenderedComponent<MudDialogProvider> dialogs;

    public TeamPageTests()
    {
        _ = app.Services; // starts the host: migrations, runtime, recovery
        Forward<TeamCatalog>();
        Forward<TeamRunQueries>();
        Forward<TeamTaskService>();
        Forward<TeamRecovery>();
        Forward<ExecutionFeed>();
        Forward<ExecutionRuntime>();
        Forward<ProviderCatalog>();
        Forward<ToolRegistry>();
        Forward<MarkdownRenderer>();
        Forward<IOptions<Agent.Domain.Configuration.AgentOptions>>();
        Forward<ExecutionTraceService>();
        Forward<IExecutionStore>();
        Services.AddScoped<ICurrentTenant, LocalTenant>();
        Services.AddTransient<TeamViewModel>();
        dialogs = RenderProviders();
    }

    private void Forward<T>() where T : class => Services.AddSingleton(_ => app.Services.GetRequiredService<T>());

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            app.Dispose();
        }
    }

    [Fact]
    public void Shows_the_shipped_team_and_profiles_and_says_how_to_start_a_run()
    {
        var page = Render<TeamPage>();

        page.WaitForAssertion(() => Assert.Equal("ready", page.Find("[data-panel=team]").GetAttribute("data-state")), Wait);
        var card = page.Find("[data-team-card=default]");
        Assert.Contains("Default team", card.TextContent, StringComparison.Ordinal);
        Assert.Contains("Assistant", card.TextContent, StringComparison.Ordinal);
        Assert.Equal(["coder", "concise"], card.QuerySelectorAll("[data-member]").Select(m => m.GetAttribute("data-member")!).ToArray());
        Assert.Equal(["assistant", "concise", "coder"], page.FindAll("[data-profile-row]").Select(r => r.GetAttribute("data-profile-row")!).ToArray());
        Assert.Contains("No team runs yet", page.Find("[data-empty-run]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_profile_edit_that_breaks_the_set_shows_every_problem_and_stores_nothing()
    {
        var page = Render<TeamPage>();
        page.WaitForAssertion(() => page.Find("[data-action=add-profile]"), Wait);
        page.Find("[data-action=add-profile]").Click();
        dialogs.WaitForAssertion(() => dialogs.Find("[data-profile-form=new]"), Wait);

        dialogs.Find("#profile-id").Change("coder");
        dialogs.Find("[data-action=save-profile]").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("Agent:Profiles:3:Id: 'coder' is empty or used by another profile.", dialogs.Find("[data-form-errors]").TextContent, StringComparison.Ordinal), Wait);
        Assert.Contains("Agent:Profiles:3:Name: is empty.", dialogs.Find("[data-form-errors]").TextContent, StringComparison.Ordinal);
        Assert.Equal(3, (await app.Services.GetRequiredService<TeamCatalog>().ProfilesAsync("local", CancellationToken.None)).Count);
    }

    [Fact]
    public async Task The_live_tree_shows_the_run_and_stop_cancels_the_branch()
    {
        // A run shaped like a delegation: a root execution and one member task running under it (long diagnostic tasks stand in for the turns).
        var runtime = app.Services.GetRequiredService<ExecutionRuntime>();
        var session = await app.Services.GetRequiredService<SessionService>().CreateAsync("local", "team", CancellationToken.None);
        var root = await StartLongAsync(runtime, session.Id);
        var member = await StartLongAsync(runtime, session.Id);
        var task = TeamTasks.Member(session.Id, root, member, DateTimeOffset.UtcNow) with
        {
            InputTokens = 1200,
            OutputTokens = 34,
            Parts = [new TextPart("Working on it")],
        };
        await app.Services.GetRequiredService<ITeamTaskStore>().AddAsync(task, CancellationToken.None);

        var page = Render<TeamPage>();
        page.WaitForAssertion(() => Assert.Equal("running", page.Find($"[data-run-node='{member}']").GetAttribute("data-status")), Wait);
        var node = page.Find($"[data-run-node='{member}']");
        Assert.Equal("coder", node.GetAttribute("data-agent"));
        Assert.Contains("1,234 tokens", node.TextContent, StringComparison.Ordinal);
        Assert.Contains("Write the parser", node.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find($"[data-run-node='{root}']"));
        Assert.Empty(page.FindAll($"[data-run-node='{root}'] > .run-node-line [data-action=stop-branch]"));

        page.Find($"[data-action=stop-branch][data-run='{member}']").Click();

        page.WaitForAssertion(() => Assert.Equal("cancelled", page.Find($"[data-run-node='{member}']").GetAttribute("data-status")), Wait);
        Assert.Equal(ExecutionStatus.Cancelled, (await runtime.FindAsync("local", member, CancellationToken.None))!.Status);
        Assert.Equal(ExecutionStatus.Running, (await runtime.FindAsync("local", root, CancellationToken.None))!.Status);
        await runtime.CancelAsync("local", root, CancellationToken.None);
    }

    [Fact]
    public async Task Every_node_of_the_tree_opens_its_own_trace_with_the_members_model_call()
    {
        var runtime = app.Services.GetRequiredService<ExecutionRuntime>();
        var session = await app.Services.GetRequiredService<SessionService>().CreateAsync("local", "team", CancellationToken.None);
        var root = await StartLongAsync(runtime, session.Id);
        var member = await StartLongAsync(runtime, session.Id);
        await AddMemberAsync(session.Id, root, member);
        await app.Services.GetRequiredService<ITraceStore>().AddAsync(
            new TraceEvent(Guid.NewGuid(), "local", session.Id, member, TraceKinds.ProviderCall, "emulator/emulator-model",
                """{"provider":"emulator","model":"emulator-model","outcome":"ok","inputTokens":1200,"outputTokens":34}""", 420, null, DateTimeOffset.UtcNow),
            CancellationToken.None);

        var page = Render<TeamPage>();
        page.WaitForAssertion(() => page.Find($"[data-action=open-trace][data-run='{member}']"), Wait);
        Assert.Equal("Open the trace of Coder", page.Find($"[data-action=open-trace][data-run='{member}']").GetAttribute("aria-label"));
        Assert.NotNull(page.Find($"[data-action=open-trace][data-run='{root}']"));

        // On the renderer's thread: the tree re-renders as the runs report progress, which would make a found button stale.
        await page.InvokeAsync(() => page.Find($"[data-action=open-trace][data-run='{member}']").Click());

        dialogs.WaitForAssertion(() => Assert.Equal("ready", dialogs.Find($"[data-detail='{member}'] [data-timeline]").GetAttribute("data-state")), Wait);
        Assert.Equal(member.ToString(), dialogs.Find("[data-execution-id]").TextContent);
        Assert.Contains("Coder · Diagnostic task", dialogs.Find(".mud-dialog-title").TextContent, StringComparison.Ordinal);
        var call = dialogs.Find("[data-timeline] [data-kind=provider_call]");
        Assert.Contains("emulator/emulator-model", call.TextContent, StringComparison.Ordinal);
        Assert.Contains("1200 in / 34 out tokens", call.TextContent, StringComparison.Ordinal);
        dialogs.Find("[data-action=close-detail]").Click();
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-detail]")), Wait);

        // The coordinator's turn has its own trace, without the member's call.
        await page.InvokeAsync(() => page.Find($"[data-action=open-trace][data-run='{root}']").Click());
        dialogs.WaitForAssertion(() => Assert.Equal("empty", dialogs.Find($"[data-detail='{root}'] [data-timeline]").GetAttribute("data-state")), Wait);
        Assert.Equal(root.ToString(), dialogs.Find("[data-execution-id]").TextContent);
        await runtime.CancelAsync("local", member, CancellationToken.None);
        await runtime.CancelAsync("local", root, CancellationToken.None);
    }

    private Task AddMemberAsync(Guid sessionId, Guid root, Guid member) =>
        app.Services.GetRequiredService<ITeamTaskStore>().AddAsync(TeamTasks.Member(sessionId, root, member, DateTimeOffset.UtcNow), CancellationToken.None);

    private static async Task<Guid> StartLongAsync(ExecutionRuntime runtime, Guid sessionId)
    {
        var submitted = await runtime.SubmitAsync(new ExecutionRequest(DiagnosticIntents.LongTask, "local", sessionId, null, new Dictionary<string, string> { ["steps"] = "200", ["stepMs"] = "100" }, null), CancellationToken.None);
        var until = DateTime.UtcNow + Wait;
        while ((await runtime.FindAsync("local", submitted.Execution.Id, CancellationToken.None))!.Status != ExecutionStatus.Running)
        {
            Assert.True(DateTime.UtcNow < until, "The stand-in execution did not start.");
            await Task.Delay(20);
        }

        return submitted.Execution.Id;
    }
}
