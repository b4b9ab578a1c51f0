using System.Globalization;
using Agent.Domain.Configuration;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Runtime.Services;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace Agent.Web.Components.Controls;

/// <summary>The trace of one run as a timeline; loads once when shown.</summary>
public sealed partial class RunTimelineView : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private RunTimeline? timeline;
    private string emptyHint = "";
    private string? error;
    private bool showStages;

    /// <summary>The turn's timed stages before its model call, shown folded under one row; the other steps below it.</summary>
    private List<TimelineEntry> Stages { get; set; } = [];

    private List<TimelineEntry> Steps { get; set; } = [];

    [Parameter, EditorRequired]
    public Guid ExecutionId { get; set; }

    [Inject]
    public required ExecutionTraceService Traces { get; init; }

    [Inject]
    public required ICurrentTenant Tenant { get; init; }

    [Inject]
    public required IExecutionStore Executions { get; init; }

    [Inject]
    public required IOptions<AgentOptions> Options { get; init; }

    protected override async Task OnParametersSetAsync()
    {
        if (timeline?.ExecutionId == ExecutionId)
        {
            return;
        }

        try
        {
            var read = await Traces.TimelineAsync(Tenant.TenantId, ExecutionId, disposed.Token);
            if (read.Entries.Count == 0)
            {
                var run = await Executions.FindAsync(Tenant.TenantId, ExecutionId, disposed.Token);
                emptyHint = EmptyHint(run?.Status, Options.Value.Telemetry.RecordToolCalls);
            }

            Stages = read.Entries.Where(e => e.Kind == TraceKinds.TurnStage).ToList();
            Steps = read.Entries.Where(e => e.Kind != TraceKinds.TurnStage).ToList();
            timeline = read;
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            error = $"The trace could not be read: {ex.Message}";
        }
    }

    private TimelineEntry StagesSpan()
    {
        var start = Stages.Min(s => s.StartMs);
        var end = Stages.Max(s => s.StartMs + s.DurationMs);
        return Stages[0] with { StartMs = start, DurationMs = end - start };
    }

    private string Slowest() => Stages.MaxBy(s => s.DurationMs) is { } slowest ? $"{slowest.Name} ({Duration(slowest.DurationMs)})" : "";

    private string BarStyle(TimelineEntry entry)
    {
        var total = Math.Max(timeline!.TotalMs, 1);
        var left = entry.StartMs / total * 100;
        var width = Math.Max(entry.DurationMs / total * 100, 0.5);
        return string.Create(CultureInfo.InvariantCulture, $"left:{left:0.##}%;width:{Math.Min(width, 100 - left):0.##}%");
    }

    /// <summary>
    /// Why a run's trace is empty, from its status. A model call is recorded when it ends (even when cancelled or
    /// failed) whatever the settings; only tool calls and approvals depend on Agent:Telemetry:RecordToolCalls.
    /// </summary>
    internal static string EmptyHint(ExecutionStatus? status, bool recordsToolCalls)
    {
        var why = status switch
        {
            null => "No trace events: this run is no longer stored.",
            ExecutionStatus.Created or ExecutionStatus.Queued => "No trace events yet: this run has not started.",
            ExecutionStatus.Running => "No trace events yet: this run has not finished a model call. Steps are recorded as they end; reopen the trace to see them.",
            ExecutionStatus.Completed => "No trace events: this run finished without a model call or tool call.",
            ExecutionStatus.Failed => "No trace events: this run failed before it called a model.",
            ExecutionStatus.Cancelled => "No trace events: this run was cancelled before it called a model.",
            ExecutionStatus.Interrupted => "No trace events: this run was interrupted (the app stopped) before it called a model.",
            _ => "No trace events for this run.",
        };
        return recordsToolCalls ? why : $"{why} Tool calls and approvals are not recorded: Agent:Telemetry:RecordToolCalls is off.";
    }

    internal static string Duration(double ms) => ms >= 1000
        ? string.Create(CultureInfo.InvariantCulture, $"{ms / 1000:0.00} s")
        : string.Create(CultureInfo.InvariantCulture, $"{ms:0} ms");

    private static string LabelOf(string kind) => kind switch
    {
        TraceKinds.ProviderCall => "Model call",
        TraceKinds.ToolCall => "Tool call",
        TraceKinds.Approval => "Approval",
        TraceKinds.Compaction => "Compaction",
        TraceKinds.TurnStage => "Turn stage",
        _ => kind,
    };

    private static string IconOf(string kind) => kind switch
    {
        TraceKinds.ProviderCall => Icons.Material.Outlined.SmartToy,
        TraceKinds.ToolCall => Icons.Material.Outlined.Build,
        TraceKinds.Approval => Icons.Material.Outlined.HowToReg,
        TraceKinds.Compaction => Icons.Material.Outlined.Compress,
        TraceKinds.TurnStage => Icons.Material.Outlined.Timer,
        _ => Icons.Material.Outlined.Circle,
    };

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
