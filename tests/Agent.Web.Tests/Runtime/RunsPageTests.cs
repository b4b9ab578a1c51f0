using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Runtime.Runtime;
using Agent.Web.Components.Pages;
using AngleSharp.Dom;
using Bunit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor;

namespace Agent.Web.Tests.Runtime;

/// <summary>The Runs page against the real runtime on a temp SQLite file.</summary>
public sealed class RunsPageTests : AgentTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly ExecutionRuntime runtime;
    private readonly IRenderedComponent<MudDialogProvider> dialogs;

    public RunsPageTests()
    {
        Services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        Services.AddSingleton(TimeProvider.System);
        Services.AddOptions<AgentOptions>();
        Services.AddAgentData(TestPaths.NewDatabasePath());
        Services.AddExecutionRuntime(new ConfigurationBuilder().Build());
        Services.AddSingleton<Agent.Runtime.Services.ExecutionTraceService>();
        Services.AddScoped<RunsViewModel>();
        Services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        runtime = Services.GetRequiredService<ExecutionRuntime>();
        dialogs = RenderProviders();
    }

    protected override void Dispose(bool disposing)
    {
        runtime.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        base.Dispose(disposing);
    }

    private Task<SubmitOutcome> SubmitAsync(int steps, int stepMs) =>
        runtime.SubmitAsync(new ExecutionRequest(DiagnosticIntents.LongTask, "local", null, null,
            new Dictionary<string, string> { ["steps"] = steps.ToString(System.Globalization.CultureInfo.InvariantCulture), ["stepMs"] = stepMs.ToString(System.Globalization.CultureInfo.InvariantCulture) }, null), CancellationToken.None);

    private static IElement Row(IRenderedComponent<Runs> page, Guid id) => page.Find($"[data-execution='{id}']").Closest("tr")!;

    private static string StatusOf(IRenderedComponent<Runs> page, Guid id) => page.Find($"[data-execution='{id}']").GetAttribute("data-status")!;

    [Fact]
    public void Empty_state_when_there_are_no_runs()
    {
        var page = Render<Runs>();
        page.WaitForAssertion(() => Assert.Equal("empty", page.Find("[data-panel=runs]").GetAttribute("data-state")), Wait);
        Assert.Contains("No runs yet", page.Find("[data-state-message]").TextContent, StringComparison.Ordinal);
        Assert.Empty(page.FindAll("[data-execution]"));
        Assert.NotNull(page.Find("button[data-action=start-diagnostic]"));
    }

    [Fact]
    public async Task Ready_state_lists_runs_in_a_grid_updates_live_and_shows_details()
    {
        var first = await SubmitAsync(2, 10);
        var page = Render<Runs>();
        page.WaitForAssertion(() => Assert.Equal("ready", page.Find("[data-panel=runs]").GetAttribute("data-state")), Wait);
        page.WaitForAssertion(() => Assert.Equal("completed", StatusOf(page, first.Execution.Id)), Wait);
        Assert.Equal("1", page.Find($"[data-execution='{first.Execution.Id}']").Closest("tr")!.QuerySelector("[data-progress]")!.GetAttribute("data-progress"));

        // A run submitted after the page rendered appears without reload, and its progress moves.
        var second = await SubmitAsync(100, 50);
        page.WaitForAssertion(() => Assert.Equal("running", StatusOf(page, second.Execution.Id)), Wait);
        page.WaitForAssertion(() => Assert.NotEqual("0", Row(page, second.Execution.Id).QuerySelector("[data-progress]")!.GetAttribute("data-progress")), Wait);

        var traced = new Agent.Domain.Telemetry.TraceEvent(Guid.NewGuid(), "local", null, first.Execution.Id, Agent.Domain.Telemetry.TraceKinds.ProviderCall, "emulator/emulator-model",
            "{\"outcome\":\"ok\",\"inputTokens\":12,\"outputTokens\":5,\"retries\":1}", 120, null, DateTimeOffset.UtcNow);
        await Services.GetRequiredService<Agent.Domain.Storage.ITraceStore>().AddAsync(traced, CancellationToken.None);
        await page.InvokeAsync(() => Row(page, first.Execution.Id).QuerySelector("button[data-action=details]")!.Click());
        dialogs.WaitForAssertion(() =>
        {
            var detail = dialogs.Find($"[data-detail='{first.Execution.Id}']");
            var step = detail.QuerySelector("[data-timeline] .timeline-row[data-kind=provider_call]");
            Assert.NotNull(step);
            Assert.Equal("ok", step.GetAttribute("data-outcome"));
            Assert.Contains("120 ms · starts at +0 ms · 12 in / 5 out tokens · 1 retry", step.TextContent, StringComparison.Ordinal);
            Assert.Contains("execution.completed", detail.TextContent, StringComparison.Ordinal);
            Assert.NotEmpty(detail.QuerySelectorAll("tr[data-sequence]"));
            Assert.NotEmpty(detail.QuerySelectorAll("[data-artifact]"));
        }, Wait);
        await dialogs.InvokeAsync(() => dialogs.Find("button[data-action=close-detail]").Click());
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[data-detail]")), Wait);

        await page.InvokeAsync(() => Row(page, second.Execution.Id).QuerySelector("button[data-action=cancel]")!.Click());
        page.WaitForAssertion(() => Assert.Equal("cancelled", StatusOf(page, second.Execution.Id)), Wait);
        page.WaitForAssertion(() => Assert.NotNull(Row(page, second.Execution.Id).QuerySelector("button[data-action=retry]")), Wait);
    }

    [Fact]
    public async Task The_status_filter_pages_on_the_server()
    {
        var done = await SubmitAsync(1, 1);
        var running = await SubmitAsync(200, 50);
        var page = Render<Runs>();
        page.WaitForAssertion(() => Assert.Equal("running", StatusOf(page, running.Execution.Id)), Wait);
        page.WaitForAssertion(() => Assert.Equal("completed", StatusOf(page, done.Execution.Id)), Wait);

        var filter = page.FindComponents<MudChipSet<string>>().Single();
        await page.InvokeAsync(() => filter.Instance.SelectedValueChanged.InvokeAsync("completed"));

        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-execution]")), Wait);
        Assert.Equal("completed", StatusOf(page, done.Execution.Id));
        Assert.Equal("1 run matches · 0 running on this page", page.Find("[data-badge]").TextContent.Trim());

        await page.InvokeAsync(() => filter.Instance.SelectedValueChanged.InvokeAsync("failed"));
        // The rows go before the grid's empty message comes: wait for the filtered page as a whole.
        page.WaitForAssertion(() =>
        {
            Assert.Empty(page.FindAll("[data-execution]"));
            Assert.Equal("ready", page.Find("[data-panel=runs]").GetAttribute("data-state"));
            Assert.Equal("No runs match.", page.Find("[data-no-match]").TextContent);
        }, Wait);
        await runtime.CancelAsync("local", running.Execution.Id, CancellationToken.None);
    }

    [Fact]
    public async Task The_diagnostic_button_starts_a_run_that_shows_progress()
    {
        var page = Render<Runs>();
        page.WaitForAssertion(() => Assert.Equal("empty", page.Find("[data-panel=runs]").GetAttribute("data-state")), Wait);
        await page.InvokeAsync(() => page.Find("button[data-action=start-diagnostic]").Click());
        page.WaitForAssertion(() =>
        {
            var row = page.Find("[data-execution]").Closest("tr")!;
            Assert.Equal("running", page.Find("[data-execution]").GetAttribute("data-status"));
            Assert.Contains("Diagnostic step", row.TextContent, StringComparison.Ordinal);
        }, Wait);
        Assert.Equal("ready", page.Find("[data-panel=runs]").GetAttribute("data-state"));
        Assert.Equal(ExecutionStatus.Running, (await runtime.ListAsync("local", 0, 10, CancellationToken.None))[0].Status);
    }
}
