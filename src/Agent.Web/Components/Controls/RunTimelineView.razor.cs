using System.Globalization;
using Agent.Domain.Telemetry;
using Agent.Runtime.Services;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Controls;

/// <summary>The trace of one run as a timeline; loads once when shown.</summary>
public sealed partial class RunTimelineView : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private RunTimeline? timeline;
    private string? error;

    [Parameter, EditorRequired]
    public Guid ExecutionId { get; set; }

    [Inject]
    public required ExecutionTraceService Traces { get; init; }

    [Inject]
    public required ICurrentTenant Tenant { get; init; }

    protected override async Task OnParametersSetAsync()
    {
        if (timeline?.ExecutionId == ExecutionId)
        {
            return;
        }

        try
        {
            timeline = await Traces.TimelineAsync(Tenant.TenantId, ExecutionId, disposed.Token);
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            error = $"The trace could not be read: {ex.Message}";
        }
    }

    private string BarStyle(TimelineEntry entry)
    {
        var total = Math.Max(timeline!.TotalMs, 1);
        var left = entry.StartMs / total * 100;
        var width = Math.Max(entry.DurationMs / total * 100, 0.5);
        return string.Create(CultureInfo.InvariantCulture, $"left:{left:0.##}%;width:{Math.Min(width, 100 - left):0.##}%");
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
        _ => kind,
    };

    private static string IconOf(string kind) => kind switch
    {
        TraceKinds.ProviderCall => Icons.Material.Outlined.SmartToy,
        TraceKinds.ToolCall => Icons.Material.Outlined.Build,
        TraceKinds.Approval => Icons.Material.Outlined.HowToReg,
        TraceKinds.Compaction => Icons.Material.Outlined.Compress,
        _ => Icons.Material.Outlined.Circle,
    };

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
