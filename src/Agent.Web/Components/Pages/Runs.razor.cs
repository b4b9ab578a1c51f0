using Agent.Domain.Runtime;
using Agent.Runtime.Runtime;
using Agent.Web.Components.Dialogs;
using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Pages;

/// <summary>
/// Executions as a server-paged grid (newest first, filterable by status and title) titled by their sessions, with
/// status, progress, when and how long; Cancel, Retry, a detail dialog with the WAL and artifacts. The logic is in
/// <see cref="RunsViewModel"/>; this component wires the live feed (throttled), the clock and the commands.
/// </summary>
public sealed partial class Runs : IAsyncDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private MudDataGrid<RunRow>? grid;
    private IDisposable? subscription;
    private ITimer? ticker;

    [Inject]
    public required RunsViewModel Model { get; init; }

    [Inject]
    public required ExecutionRuntime Runtime { get; init; }

    [Inject]
    public required LiveUpdates Live { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    private static IReadOnlyList<ExecutionStatus> StatusChoices { get; } =
        [ExecutionStatus.Running, ExecutionStatus.Completed, ExecutionStatus.Failed, ExecutionStatus.Cancelled, ExecutionStatus.Interrupted, ExecutionStatus.Queued];

    protected override void OnInitialized()
    {
        subscription = Live.Subscribe(LiveTopics.Executions, Model.TenantId, TimeSpan.FromMilliseconds(200), changes =>
        {
            var pushed = false;
            foreach (var change in changes)
            {
                pushed |= Model.Push(change);
            }

            return pushed ? InvokeAsync(ApplyChangesAsync) : Task.CompletedTask;
        });
        ticker = Time.CreateTimer(_ => OnTick(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    private async Task<GridData<RunRow>> LoadPageAsync(GridState<RunRow> state, CancellationToken cancellationToken)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposed.Token);
            await Model.LoadAsync(state.Page, state.PageSize, linked.Token);
        }
        catch (OperationCanceledException)
        {
            // A newer request replaced this one, or the page closed.
        }

        StateHasChanged();
        return new GridData<RunRow> { Items = Model.Page, TotalItems = Model.Total };
    }

    private async Task ApplyChangesAsync()
    {
        if (Model.ApplyPushed() && grid is not null)
        {
            await grid.ReloadServerData();
        }

        StateHasChanged();
    }

    private void OnTick()
    {
        if (Model.AnyRunning)
        {
            _ = InvokeAsync(StateHasChanged);
        }
    }

    private async Task FilterStatusAsync(string? value)
    {
        if (Model.SetStatus(Enum.TryParse<ExecutionStatus>(value, ignoreCase: true, out var status) ? status : null))
        {
            await ReloadAsync();
        }
    }

    private async Task FilterTextAsync(string? value)
    {
        if (Model.SetText(value))
        {
            await ReloadAsync();
        }
    }

    private async Task ReloadAsync()
    {
        Model.ClearError();
        if (grid is not null)
        {
            await grid.ReloadServerData();
        }
    }

    private async Task StartDiagnosticAsync()
    {
        await Actions.RunAsync(
            () => Runtime.SubmitAsync(
                new ExecutionRequest(DiagnosticIntents.LongTask, Model.TenantId, null, null, new Dictionary<string, string> { ["steps"] = "20", ["stepMs"] = "500" }, null),
                disposed.Token),
            "Diagnostic task started");
        await ReloadAsync();
    }

    private Task CancelAsync(RunRow run) =>
        Actions.RunAsync(() => Runtime.CancelAsync(Model.TenantId, run.Record.Id, disposed.Token), $"{run.Intent} cancelled");

    private async Task RetryAsync(RunRow run)
    {
        await Actions.RunAsync(() => Runtime.RetryAsync(Model.TenantId, run.Record.Id, disposed.Token), $"{run.Intent} retried");
        await ReloadAsync();
    }

    private Task ShowDetailAsync(RunRow run)
    {
        var parameters = new DialogParameters<RunDetailDialog> { { d => d.ExecutionId, run.Record.Id }, { d => d.TenantId, Model.TenantId } };
        var options = new DialogOptions { MaxWidth = MaxWidth.Large, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true };
        return Dialogs.ShowAsync<RunDetailDialog>(run.Title, parameters, options);
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
