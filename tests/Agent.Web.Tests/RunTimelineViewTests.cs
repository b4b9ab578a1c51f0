using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Runtime.Services;
using Agent.Web.Components.Controls;
using Agent.Web.Tests.Runtime;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>The run timeline's empty state on a temp SQLite file: the hint says why this run has no events.</summary>
public sealed class RunTimelineViewTests : AgentTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private async Task<IExecutionStore> StartAsync(bool recordToolCalls)
    {
        Services.AddOptions<AgentOptions>().Configure(o => o.Telemetry.RecordToolCalls = recordToolCalls);
        Services.AddAgentData(TestPaths.NewDatabasePath());
        Services.AddSingleton<ExecutionTraceService>();
        await Services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None);
        return Services.GetRequiredService<IExecutionStore>();
    }

    private static async Task<Guid> AddRunAsync(IExecutionStore executions, string tenantId, ExecutionStatus status)
    {
        var now = DateTimeOffset.UtcNow;
        var id = Guid.NewGuid();
        await executions.AddAsync(new ExecutionRecord(id, tenantId, "run_team_task", "RunTeamTaskHandler", null, null, status, 0, null, 1, null, null, "{}", now, now, now), CancellationToken.None);
        return id;
    }

    private string EmptyHintOf(Guid executionId)
    {
        var view = Render<RunTimelineView>(p => p.Add(v => v.ExecutionId, executionId));
        view.WaitForAssertion(() => Assert.Equal("empty", view.Find("[data-timeline]").GetAttribute("data-state")), Wait);
        return view.Find("[data-timeline-empty]").TextContent;
    }

    [Fact]
    public async Task A_run_cancelled_before_its_first_model_call_says_so_and_not_that_recording_is_off()
    {
        var executions = await StartAsync(recordToolCalls: true);
        var hint = EmptyHintOf(await AddRunAsync(executions, "local", ExecutionStatus.Cancelled));

        Assert.Equal("No trace events: this run was cancelled before it called a model.", hint);
        Assert.DoesNotContain("RecordToolCalls", hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_running_run_without_events_has_not_finished_a_model_call_yet()
    {
        var executions = await StartAsync(recordToolCalls: true);
        var hint = EmptyHintOf(await AddRunAsync(executions, "local", ExecutionStatus.Running));

        Assert.StartsWith("No trace events yet: this run has not finished a model call.", hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recording_that_is_off_is_named_only_when_it_is_off()
    {
        var executions = await StartAsync(recordToolCalls: false);
        var hint = EmptyHintOf(await AddRunAsync(executions, "local", ExecutionStatus.Completed));

        Assert.Equal("No trace events: this run finished without a model call or tool call. Tool calls and approvals are not recorded: Agent:Telemetry:RecordToolCalls is off.", hint);
    }

    [Fact]
    public async Task Another_tenants_run_is_not_described()
    {
        var executions = await StartAsync(recordToolCalls: true);
        var hint = EmptyHintOf(await AddRunAsync(executions, "someone-else", ExecutionStatus.Failed));

        Assert.Equal("No trace events: this run is no longer stored.", hint);
    }
}
