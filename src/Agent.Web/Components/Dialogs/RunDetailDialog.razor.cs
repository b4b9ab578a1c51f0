using Agent.Domain.Runtime;
using Agent.Runtime.Runtime;
using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Dialogs;

/// <summary>One execution: its record, the WAL entries that recorded it (appended live) and the artifacts it produced.</summary>
public sealed partial class RunDetailDialog : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private readonly Lock gate = new();
    private ExecutionRecord? run;
    private List<WalEntry> events = [];
    private IReadOnlyList<Artifact> artifacts = [];
    private string? error;
    private IDisposable? subscription;

    [CascadingParameter]
    public IMudDialogInstance? Dialog { get; set; }

    [Parameter, EditorRequired]
    public Guid ExecutionId { get; set; }

    [Parameter, EditorRequired]
    public required string TenantId { get; set; }

    [Inject]
    public required ExecutionRuntime Runtime { get; init; }

    [Inject]
    public required LiveUpdates Live { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    protected override async Task OnInitializedAsync()
    {
        subscription = Live.Subscribe(LiveTopics.Executions, TenantId, TimeSpan.FromMilliseconds(200), OnChangesAsync, c => c.Execution.Id == ExecutionId);
        try
        {
            run = await Runtime.FindAsync(TenantId, ExecutionId, disposed.Token);
            if (run is null)
            {
                error = "This run no longer exists.";
                return;
            }

            var loaded = await Runtime.EventsAsync(TenantId, ExecutionId, disposed.Token) ?? [];
            artifacts = await Runtime.ArtifactsOfAsync(TenantId, ExecutionId, disposed.Token);
            lock (gate)
            {
                events = [.. loaded.UnionBy(events, e => e.Sequence).OrderBy(e => e.Sequence)];
            }
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            error = $"The run could not be loaded: {ex.Message}";
        }
    }

    private Task OnChangesAsync(IReadOnlyList<ExecutionChange> changes)
    {
        lock (gate)
        {
            run = changes[^1].Execution;
            var added = changes.Select(c => c.Entry).OfType<WalEntry>().Where(entry => events.All(e => e.Sequence != entry.Sequence)).ToList();
            if (added.Count > 0)
            {
                events = [.. events.Concat(added).DistinctBy(e => e.Sequence).OrderBy(e => e.Sequence)];
            }
        }

        return InvokeAsync(RefreshAsync);
    }

    /// <summary>Re-renders the appended entries; once the run has ended, re-reads the artifacts it produced.</summary>
    private async Task RefreshAsync()
    {
        if (run is { EndedAt: not null } && !disposed.IsCancellationRequested)
        {
            try
            {
                artifacts = await Runtime.ArtifactsOfAsync(TenantId, ExecutionId, disposed.Token);
            }
            catch (OperationCanceledException) when (disposed.IsCancellationRequested)
            {
                return;
            }
        }

        StateHasChanged();
    }

    private void Close() => Dialog?.Close();

    public void Dispose()
    {
        subscription?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}
