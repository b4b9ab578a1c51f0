using Agent.Domain.Runtime;
using Agent.Runtime.Runtime;
using Agent.Web.Components.Dialogs;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Pages;

/// <summary>
/// Executions as a server-paged grid (newest first, filterable by status) with progress, attempts and duration;
/// Cancel, Retry, a detail dialog with the WAL and artifacts. Rows on the page follow the <see cref="ExecutionFeed"/>
/// live (throttled); a new execution reloads the first page.
/// </summary>
public sealed partial class Runs : IAsyncDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private readonly Lock gate = new();
    private readonly Dictionary<Guid, ExecutionRecord> changed = [];
    private readonly Dictionary<Guid, ExecutionRecord> pushed = [];
    private MudDataGrid<RunRow>? grid;
    private List<RunRow> page = [];
    private int total;
    private bool loaded;
    private bool reloadNeeded;
    private string statusFilter = "all";
    private string? loadError;
    private IDisposable? subscription;
    private RefreshThrottle? throttle;
    private ITimer? ticker;

    [Inject]
    public required ICurrentTenant CurrentTenant { get; init; }

    [Inject]
    public required ExecutionRuntime Runtime { get; init; }

    [Inject]
    public required ExecutionFeed Feed { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    [Inject]
    public required ILogger<Runs> Logger { get; init; }

    private string TenantId => CurrentTenant.TenantId;

    private PanelStateKind State => loadError is not null ? PanelStateKind.Error
        : !loaded ? PanelStateKind.Loading
        : total == 0 && statusFilter == "all" ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    private string? StateMessage => State switch
    {
        PanelStateKind.Error => loadError,
        PanelStateKind.Loading => "Loading runs…",
        PanelStateKind.Empty => "No runs yet. Every chat turn and long task is listed here with its status, progress and attempts; start a diagnostic task to see one.",
        _ => null,
    };

    private string? Badge => !loaded ? null
        : $"{total} {(statusFilter == "all" ? (total == 1 ? "run" : "runs") : statusFilter)} · {page.Count(r => r.Record.Status == ExecutionStatus.Running)} running on this page";

    internal static string StatusName(ExecutionStatus status) => status.ToString().ToLowerInvariant();

    protected override void OnInitialized()
    {
        throttle = new RefreshThrottle(() => InvokeAsync(ApplyChangesAsync), TimeSpan.FromMilliseconds(200));
        subscription = Feed.Subscribe(OnChange);
        ticker = Time.CreateTimer(_ => OnTick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private async Task<GridData<RunRow>> LoadPageAsync(GridState<RunRow> state, CancellationToken cancellationToken)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposed.Token);
            ExecutionStatus? status = Enum.TryParse<ExecutionStatus>(statusFilter, ignoreCase: true, out var s) ? s : null;
            var result = await Runtime.PageAsync(TenantId, status, state.Page * state.PageSize, state.PageSize, linked.Token);
            lock (gate)
            {
                // A read can be older than a change already pushed (a cancel seen while this page was loading).
                // Rows keep their instance across reads and updates, so the grid keeps their buttons under the pointer.
                var rows = page.ToDictionary(r => r.Record.Id);
                page = [.. result.Items.Select(r =>
                {
                    var shown = pushed.TryGetValue(r.Id, out var newer) && Supersedes(newer, r) ? newer : r;
                    if (rows.TryGetValue(r.Id, out var row))
                    {
                        row.Record = shown;
                        return row;
                    }

                    return new RunRow(shown);
                })];
                total = result.Total;
            }

            loaded = true;
            loadError = null;
        }
        catch (OperationCanceledException)
        {
            // A newer request replaced this one, or the page closed.
        }
        catch (Exception ex)
        {
            Logger.LogError(ex, "Loading runs failed");
            loadError = $"The runs could not be loaded: {ex.Message}";
            page = [];
        }

        StateHasChanged();
        return new GridData<RunRow> { Items = page, TotalItems = total };
    }

    private void OnChange(ExecutionChange change)
    {
        if (change.Execution.TenantId != TenantId)
        {
            return;
        }

        lock (gate)
        {
            changed[change.Execution.Id] = change.Execution;
            pushed[change.Execution.Id] = change.Execution;
        }

        throttle?.Request();
    }

    /// <summary>Whether a pushed record is at least as far along as one read from the store: a later attempt, or the same attempt in a later or equal state.</summary>
    private static bool Supersedes(ExecutionRecord pushedRecord, ExecutionRecord read) =>
        pushedRecord.Attempts != read.Attempts
            ? pushedRecord.Attempts > read.Attempts
            : Rank(pushedRecord.Status) > Rank(read.Status) || (Rank(pushedRecord.Status) == Rank(read.Status) && pushedRecord.Progress >= read.Progress);

    private static int Rank(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Created or ExecutionStatus.Queued => 0,
        ExecutionStatus.Running => 1,
        _ => 2,
    };

    /// <summary>Applies the changes of the last interval: rows on this page in place, anything new by a reload.</summary>
    private async Task ApplyChangesAsync()
    {
        List<ExecutionRecord> updates;
        lock (gate)
        {
            updates = [.. changed.Values];
            changed.Clear();
        }

        foreach (var update in updates)
        {
            var row = page.Find(r => r.Record.Id == update.Id);
            if (row is not null)
            {
                row.Record = update;
            }
            else
            {
                reloadNeeded = true;
            }
        }

        if (reloadNeeded && grid is not null)
        {
            reloadNeeded = false;
            await grid.ReloadServerData();
        }

        StateHasChanged();
    }

    private void OnTick()
    {
        if (page.Any(r => r.Record.Status == ExecutionStatus.Running))
        {
            _ = InvokeAsync(StateHasChanged);
        }
    }

    private async Task FilterAsync(string value)
    {
        statusFilter = value;
        await ReloadAsync();
    }

    private async Task ReloadAsync()
    {
        loadError = null;
        if (grid is not null)
        {
            await grid.ReloadServerData();
        }
    }

    private async Task StartDiagnosticAsync()
    {
        await Actions.RunAsync(
            () => Runtime.SubmitAsync(
                new ExecutionRequest(DiagnosticIntents.LongTask, TenantId, null, null, new Dictionary<string, string> { ["steps"] = "20", ["stepMs"] = "500" }, null),
                disposed.Token),
            "Diagnostic task started");
        await ReloadAsync();
    }

    private Task CancelAsync(ExecutionRecord run) =>
        Actions.RunAsync(() => Runtime.CancelAsync(TenantId, run.Id, disposed.Token), $"{run.Intent} cancelled");

    private async Task RetryAsync(ExecutionRecord run)
    {
        await Actions.RunAsync(() => Runtime.RetryAsync(TenantId, run.Id, disposed.Token), $"{run.Intent} retried");
        await ReloadAsync();
    }

    private Task ShowDetailAsync(ExecutionRecord run)
    {
        var parameters = new DialogParameters<RunDetailDialog> { { d => d.ExecutionId, run.Id }, { d => d.TenantId, TenantId } };
        var options = new DialogOptions { MaxWidth = MaxWidth.Large, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true };
        return Dialogs.ShowAsync<RunDetailDialog>($"Run {run.Intent}", parameters, options);
    }

    private string DurationOf(ExecutionRecord run) => RunFormat.Duration(run, Time.GetUtcNow());

    public async ValueTask DisposeAsync()
    {
        subscription?.Dispose();
        throttle?.Dispose();
        if (ticker is not null)
        {
            await ticker.DisposeAsync();
        }

        await disposed.CancelAsync();
        disposed.Dispose();
    }
}

/// <summary>
/// A row of the runs grid. The grid keys rows by item, so a record replaced by its next state would rebuild the row
/// (and its Cancel button, under a person's pointer); the row stays and only its record changes.
/// </summary>
public sealed class RunRow(ExecutionRecord record)
{
    public ExecutionRecord Record { get; set; } = record;
}

/// <summary>How the Runs page and its detail dialog write durations.</summary>
internal static class RunFormat
{
    public static string Duration(ExecutionRecord run, DateTimeOffset now)
    {
        if (run.StartedAt is not { } started)
        {
            return "–";
        }

        var elapsed = (run.EndedAt ?? now) - started;
        return elapsed.TotalHours >= 1 ? elapsed.ToString(@"h\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture)
            : elapsed.TotalMinutes >= 1 ? elapsed.ToString(@"m\:ss", System.Globalization.CultureInfo.InvariantCulture)
            : $"{elapsed.TotalSeconds:0.0} s";
    }
}
