using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Web.Components.Panels;
using Agent.Web.Runtime;
using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Agent.Web.Tests.Runtime;

/// <summary>The Runs panel against the real runtime on a temp SQLite file.</summary>
public sealed class RunsPanelTests : AgentTestContext
{
    private readonly ExecutionRuntime runtime;

    public RunsPanelTests()
    {
        Services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        Services.AddSingleton(TimeProvider.System);
        Services.AddOptions<AgentOptions>();
        Services.AddAgentData(TestPaths.NewDatabasePath());
        Services.AddExecutionRuntime(new ConfigurationBuilder().Build());
        Services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        runtime = Services.GetRequiredService<ExecutionRuntime>();
    }

    protected override void Dispose(bool disposing)
    {
        runtime.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    private Task<SubmitOutcome> SubmitAsync(int steps, int stepMs) =>
        runtime.SubmitAsync(new ExecutionRequest(DiagnosticIntents.LongTask, "local", null, null,
            new Dictionary<string, string> { ["steps"] = steps.ToString(System.Globalization.CultureInfo.InvariantCulture), ["stepMs"] = stepMs.ToString(System.Globalization.CultureInfo.InvariantCulture) }, null), CancellationToken.None);

    [Fact]
    public void Empty_state_when_there_are_no_runs()
    {
        var panel = Render<RunsPanel>();
        panel.WaitForAssertion(() => Assert.Equal("empty", panel.Find("[data-panel=runs]").GetAttribute("data-state")));
        Assert.Contains("No runs yet", panel.Markup, StringComparison.Ordinal);
        Assert.Empty(panel.FindAll("tr[data-execution]"));
    }

    [Fact]
    public async Task Ready_state_lists_runs_and_updates_live_with_details()
    {
        var first = await SubmitAsync(2, 10);
        var panel = Render<RunsPanel>();
        panel.WaitForAssertion(() => Assert.Equal("ready", panel.Find("[data-panel=runs]").GetAttribute("data-state")));
        panel.WaitForAssertion(() => Assert.Equal("completed", panel.Find($"tr[data-execution='{first.Execution.Id}']").GetAttribute("data-status")), TimeSpan.FromSeconds(10));

        // A run submitted after the panel rendered appears without reload.
        var second = await SubmitAsync(100, 50);
        panel.WaitForAssertion(() => Assert.Equal("running", panel.Find($"tr[data-execution='{second.Execution.Id}']").GetAttribute("data-status")), TimeSpan.FromSeconds(10));

        panel.Find($"tr[data-execution='{first.Execution.Id}'] button[data-action=details]").Click();
        panel.WaitForAssertion(() =>
        {
            var detail = panel.Find($"[data-detail='{first.Execution.Id}']");
            Assert.Contains("execution.completed", detail.TextContent, StringComparison.Ordinal);
            Assert.NotEmpty(detail.QuerySelectorAll("tr[data-sequence]"));
            Assert.NotEmpty(detail.QuerySelectorAll("[data-artifact]"));
        });

        panel.Find($"tr[data-execution='{second.Execution.Id}'] button[data-action=cancel]").Click();
        panel.WaitForAssertion(() => Assert.Equal("cancelled", panel.Find($"tr[data-execution='{second.Execution.Id}']").GetAttribute("data-status")), TimeSpan.FromSeconds(10));
        Assert.NotEmpty(panel.FindAll($"tr[data-execution='{second.Execution.Id}'] button[data-action=retry]"));
    }

    [Fact]
    public async Task The_diagnostic_button_starts_a_run_that_shows_progress()
    {
        var panel = Render<RunsPanel>();
        panel.WaitForAssertion(() => Assert.Equal("empty", panel.Find("[data-panel=runs]").GetAttribute("data-state")));
        panel.Find("button[data-action=start-diagnostic]").Click();
        panel.WaitForAssertion(() =>
        {
            var row = panel.Find("tr[data-execution]");
            Assert.Equal("running", row.GetAttribute("data-status"));
            Assert.Contains("Diagnostic step", row.TextContent, StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10));
        Assert.Equal(ExecutionStatus.Running, (await runtime.ListAsync("local", 0, 10, CancellationToken.None))[0].Status);
    }
}
