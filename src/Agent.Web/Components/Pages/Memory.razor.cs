using Agent.Domain.Memory;
using Agent.Web.Components.Dialogs;
using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Pages;

/// <summary>
/// What the agent remembers, as the person sees and edits it: chips per tier with counts, a searchable server-paged
/// grid of items with where each came from, add and edit in a dialog, pin and unpin, delete after confirmation.
/// The logic is in <see cref="MemoryViewModel"/>; this component wires the grid, the dialogs and the commands.
/// </summary>
public sealed partial class Memory : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private MudDataGrid<MemoryItem>? grid;

    [Inject]
    public required MemoryViewModel Model { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    protected override Task OnInitializedAsync() => LoadCountsAsync();

    private async Task LoadCountsAsync()
    {
        try
        {
            await Model.LoadCountsAsync(disposed.Token);
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
    }

    private async Task<GridData<MemoryItem>> LoadPageAsync(GridState<MemoryItem> state, CancellationToken cancellationToken)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposed.Token);
            var page = await Model.LoadPageAsync(state.Page, state.PageSize, linked.Token);
            if (Model.State == PanelStateKind.Error)
            {
                StateHasChanged();
            }

            return new GridData<MemoryItem> { Items = page.Items, TotalItems = page.Total };
        }
        catch (OperationCanceledException)
        {
            // A newer request replaced this one, or the page closed.
            return new GridData<MemoryItem> { Items = [], TotalItems = 0 };
        }
    }

    private async Task SelectTierAsync(string? value)
    {
        Model.SelectTier(value);
        await ReloadGridAsync();
    }

    private async Task SearchAsync(string? value)
    {
        Model.SetSearch(value);
        await ReloadGridAsync();
    }

    private async Task ReloadAsync()
    {
        Model.ClearError();
        await AfterChangeAsync();
    }

    private async Task ReloadGridAsync()
    {
        if (grid is not null)
        {
            await grid.ReloadServerData();
        }
    }

    private async Task AddAsync() => await ShowEditorAsync(null, "Saved to memory.");

    private async Task EditAsync(MemoryItem item) => await ShowEditorAsync(item, "Memory updated.");

    private async Task ShowEditorAsync(MemoryItem? item, string success)
    {
        var parameters = new DialogParameters<MemoryEditDialog> { { d => d.Existing, item } };
        var dialog = await Dialogs.ShowAsync<MemoryEditDialog>(item is null ? "Add memory" : "Edit memory", parameters, new DialogOptions { MaxWidth = MaxWidth.Small, FullWidth = true });
        var result = await dialog.Result;
        if (result is { Canceled: false })
        {
            await Actions.RunAsync(AfterChangeAsync, success);
        }
    }

    private Task PinAsync(MemoryItem item) =>
        Actions.RunAsync(async () => { await Model.PinAsync(item, disposed.Token); await AfterChangeAsync(); }, "Pinned: always in context.");

    private Task UnpinAsync(MemoryItem item) =>
        Actions.RunAsync(async () => { await Model.UnpinAsync(item, disposed.Token); await AfterChangeAsync(); }, "Unpinned: recalled when relevant.");

    private Task DeleteAsync(MemoryItem item) =>
        Actions.RunAsync(async () => { await Model.ForgetAsync(item, disposed.Token); await AfterChangeAsync(); }, "Forgotten.", MemoryViewModel.ForgetConfirmation(item));

    private async Task AfterChangeAsync()
    {
        await LoadCountsAsync();
        await ReloadGridAsync();
    }

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
