using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Agent.Runtime.Memories;
using Agent.Web.Components.Dialogs;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Pages;

/// <summary>
/// What the agent remembers, as the person sees and edits it: chips per tier with counts, a searchable server-paged
/// grid of items with where each came from, add and edit in a dialog, pin and unpin, delete after confirmation.
/// </summary>
public sealed partial class Memory : IDisposable
{
    internal const string AllTiers = "all";

    internal static readonly MemoryTier[] BrowsableTiers = [MemoryTier.PinnedBlock, MemoryTier.ArchivalFact, MemoryTier.DailyEpisode, MemoryTier.AttachmentSummary];

    private readonly CancellationTokenSource disposed = new();
    private MudDataGrid<MemoryItem>? grid;
    private IReadOnlyDictionary<MemoryTier, int>? counts;
    private int checkpoints;
    private string? error;
    private string tierFilter = AllTiers;
    private string? search;

    [Inject]
    public required MemoryService MemoryService { get; init; }

    [Inject]
    public required ICheckpointStore Checkpoints { get; init; }

    [Inject]
    public required ICurrentTenant Tenant { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    private int StoredTotal => counts is null ? 0 : BrowsableTiers.Sum(t => counts.GetValueOrDefault(t));

    private int Total => counts?.Values.Sum() ?? 0;

    private PanelStateKind State => error is not null ? PanelStateKind.Error
        : counts is null ? PanelStateKind.Loading
        : Total + checkpoints == 0 ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    private string? StateMessage => State switch
    {
        PanelStateKind.Error => error,
        PanelStateKind.Loading => "Loading memory…",
        PanelStateKind.Empty => "No memory yet. Add a fact or a pinned block, or let the agent save one (memory_save); daily episodes and attachment summaries appear here as they are written.",
        _ => null,
    };

    private string? Badge => counts is null ? null : $"{StoredTotal:N0} items · {counts.GetValueOrDefault(MemoryTier.PinnedBlock):N0} pinned";

    private string NoRecordsText => string.IsNullOrWhiteSpace(search)
        ? tierFilter == AllTiers ? "Nothing remembered yet." : $"No {TierFilterLabel.ToLowerInvariant()} yet."
        : $"Nothing in {(tierFilter == AllTiers ? "memory" : TierFilterLabel.ToLowerInvariant())} matches \"{search}\".";

    private string TierFilterLabel => MemoryTiers.TryParse(tierFilter, out var t) ? MemoryTiers.Label(t) : "memory";

    protected override Task OnInitializedAsync() => LoadCountsAsync();

    private async Task LoadCountsAsync()
    {
        try
        {
            checkpoints = await Checkpoints.CountAsync(Tenant.TenantId, disposed.Token);
            counts = await MemoryService.CountAsync(Tenant.TenantId, disposed.Token);
            error = null;
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            error = $"Memory could not be loaded: {ex.Message}";
        }
    }

    private async Task<GridData<MemoryItem>> LoadPageAsync(GridState<MemoryItem> state, CancellationToken cancellationToken)
    {
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposed.Token);
            MemoryTier? tier = MemoryTiers.TryParse(tierFilter, out var t) ? t : null;
            var page = await MemoryService.SearchAsync(Tenant.TenantId, tier, search, state.Page * state.PageSize, state.PageSize, linked.Token);
            return new GridData<MemoryItem> { Items = page.Items, TotalItems = page.Total };
        }
        catch (OperationCanceledException)
        {
            return new GridData<MemoryItem> { Items = [], TotalItems = 0 };
        }
        catch (Exception ex)
        {
            error = $"Memory could not be loaded: {ex.Message}";
            StateHasChanged();
            return new GridData<MemoryItem> { Items = [], TotalItems = 0 };
        }
    }

    private async Task SelectTierAsync(string? value)
    {
        tierFilter = value ?? AllTiers;
        await ReloadGridAsync();
    }

    private async Task SearchAsync(string? value)
    {
        search = value;
        await ReloadGridAsync();
    }

    private async Task ReloadAsync()
    {
        error = null;
        await LoadCountsAsync();
        await ReloadGridAsync();
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
        Actions.RunAsync(async () => { await MemoryService.PinAsync(Tenant.TenantId, item.Id, disposed.Token); await AfterChangeAsync(); }, "Pinned: always in context.");

    private Task UnpinAsync(MemoryItem item) =>
        Actions.RunAsync(async () => { await MemoryService.UnpinAsync(Tenant.TenantId, item.Id, disposed.Token); await AfterChangeAsync(); }, "Unpinned: recalled when relevant.");

    private Task DeleteAsync(MemoryItem item) =>
        Actions.RunAsync(
            async () =>
            {
                if (!await MemoryService.ForgetAsync(Tenant.TenantId, item.Id, disposed.Token))
                {
                    throw new KeyNotFoundException("This item was already deleted.");
                }

                await AfterChangeAsync();
            },
            "Forgotten.",
            new Confirmation("Delete this memory?", "The agent will no longer see or recall it. This cannot be undone.", "Delete", Shorten(item.Content)));

    private async Task AfterChangeAsync()
    {
        await LoadCountsAsync();
        await ReloadGridAsync();
    }

    internal static Color TierColor(MemoryTier tier) => tier switch
    {
        MemoryTier.PinnedBlock => Color.Primary,
        MemoryTier.ArchivalFact => Color.Info,
        MemoryTier.DailyEpisode => Color.Secondary,
        MemoryTier.AttachmentSummary => Color.Success,
        _ => Color.Default,
    };

    internal static string SourceText(MemoryItem item) => item.Source switch
    {
        MemorySource.Person => "You",
        MemorySource.Agent => item.AgentId is { } agent ? $"The agent ({agent})" : "The agent",
        MemorySource.Session => "Session summary",
        MemorySource.Message => "A message",
        MemorySource.Attachment => "Attachment",
        _ => item.Source.ToString(),
    };

    /// <summary>Where the item came from: the attachment's file, or the chat (session) it was saved in.</summary>
    internal static (string Href, string Text)? SourceLink(MemoryItem item) =>
        item.AttachmentId is { } attachment ? ($"/api/attachments/{attachment}/content", item.Title.Length > 0 ? item.Title : "file")
        : item.SessionId is { } session ? ($"/chat/{session}", item.SourceMessageId is null ? "in chat" : "message in chat")
        : null;

    private string Ago(DateTimeOffset at)
    {
        var age = Time.GetUtcNow() - at;
        return age.TotalMinutes < 1 ? "just now"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours} h ago"
            : at.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
