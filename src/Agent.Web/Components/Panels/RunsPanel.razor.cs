using Agent.Domain.Runtime;
using Agent.Web.Components.Shared;
using Agent.Web.Runtime;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;

namespace Agent.Web.Components.Panels;

/// <summary>
/// Live list of executions: status, progress, attempts, duration; Cancel, Retry and a detail view with the WAL and
/// artifacts. Subscribes to <see cref="ExecutionFeed"/>, so it updates without reload; the runtime, not this
/// component, owns the executions.
/// </summary>
public sealed partial class RunsPanel : IAsyncDisposable
{
    private const int PageSize = 50;
    private readonly CancellationTokenSource disposed = new();
    private List<ExecutionRecord>? runs;
    private string? loadError;
    private string? actionError;
    private Guid? selectedId;
    private ExecutionRecord? selected;
    private List<WalEntry> selectedEvents = [];
    private IReadOnlyList<Artifact> selectedArtifacts = [];
    private IDisposable? subscription;
    private ITimer? ticker;

    [Inject]
    public required ExecutionRuntime Runtime { get; init; }

    [Inject]
    public required ExecutionFeed Feed { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<RunsPanel> Logger { get; init; }

    /// <summary>The tenant whose executions are shown.</summary>
    [Parameter]
    public string TenantId { get; set; } = BootstrapService.CurrentTenant;

    private PanelStateKind State => loadError is not null ? PanelStateKind.Error
        : runs is null ? PanelStateKind.Loading
        : runs.Count == 0 ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    private string StateMessage => loadError
        ?? (runs is null ? "Loading runs…" : "No runs yet. Every chat turn and long task is listed here with its status, progress and attempts.");

    private string? Badge => runs is null ? null : $"{runs.Count} recent · {runs.Count(r => r.Status == ExecutionStatus.Running)} running";

    protected override async Task OnInitializedAsync()
    {
        subscription = Feed.Subscribe(OnChange);
        ticker = Time.CreateTimer(_ => _ = InvokeAsync(() =>
        {
            if (runs?.Any(r => r.Status == ExecutionStatus.Running) == true)
            {
                StateHasChanged();
            }
        }), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        try
        {
            runs = [.. await Runtime.ListAsync(TenantId, 0, PageSize, disposed.Token)];
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Logger.LogError(ex, "Loading runs failed");
            loadError = $"The runs could not be loaded: {ex.Message}";
        }
    }

    private void OnChange(ExecutionChange change)
    {
        if (change.Execution.TenantId != TenantId)
        {
            return;
        }

        _ = InvokeAsync(() =>
        {
            if (runs is null)
            {
                return;
            }

            var index = runs.FindIndex(r => r.Id == change.Execution.Id);
            if (index >= 0)
            {
                runs[index] = change.Execution;
            }
            else
            {
                runs.Insert(0, change.Execution);
                if (runs.Count > PageSize)
                {
                    runs.RemoveAt(runs.Count - 1);
                }
            }

            if (change.Execution.Id == selectedId)
            {
                selected = change.Execution;
                if (change.Entry is { } entry && selectedEvents.All(e => e.Sequence != entry.Sequence))
                {
                    selectedEvents.Add(entry);
                }
            }

            StateHasChanged();
        });
    }

    private async Task StartDiagnosticAsync()
    {
        await RunActionAsync(() => Runtime.SubmitAsync(
            new ExecutionRequest(DiagnosticIntents.LongTask, TenantId, null, null, new Dictionary<string, string> { ["steps"] = "20", ["stepMs"] = "500" }, null), disposed.Token));
    }

    private Task CancelAsync(Guid id) => RunActionAsync(() => Runtime.CancelAsync(TenantId, id, disposed.Token));

    private Task RetryAsync(Guid id) => RunActionAsync(() => Runtime.RetryAsync(TenantId, id, disposed.Token));

    private async Task RunActionAsync<T>(Func<Task<T>> action)
    {
        try
        {
            actionError = null;
            await action();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            actionError = ex.Message;
        }
    }

    private async Task SelectAsync(Guid id)
    {
        selectedId = id;
        selected = runs?.FirstOrDefault(r => r.Id == id);
        selectedEvents = [.. await Runtime.EventsAsync(TenantId, id, disposed.Token) ?? []];
        selectedArtifacts = await Runtime.ArtifactsOfAsync(TenantId, id, disposed.Token);
    }

    private void CloseDetail()
    {
        selectedId = null;
        selected = null;
        selectedEvents = [];
        selectedArtifacts = [];
    }

    private string DurationOf(ExecutionRecord run)
    {
        if (run.StartedAt is not { } started)
        {
            return "–";
        }

        var elapsed = (run.EndedAt ?? Time.GetUtcNow()) - started;
        return elapsed.TotalHours >= 1 ? elapsed.ToString(@"h\:mm\:ss") : elapsed.TotalMinutes >= 1 ? elapsed.ToString(@"m\:ss") : $"{elapsed.TotalSeconds:0.0} s";
    }

    public async ValueTask DisposeAsync()
    {
        subscription?.Dispose();
        if (ticker is not null)
        {
            await ticker.DisposeAsync();
        }

        await disposed.CancelAsync();
        disposed.Dispose();
    }
}
