using System.Globalization;
using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Agent.Runtime.Memories;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using MudBlazor;

namespace Agent.Web.Components.Pages;

/// <summary>
/// The Memory page's state and logic for the caller's tenant: counts per tier and checkpoints, the tier filter and
/// search, one page of items, pin, unpin and forget, and the words shown for each item. The component renders it,
/// runs the commands through the action runner and reloads the grid.
/// </summary>
public sealed class MemoryViewModel(MemoryService memory, ICheckpointStore checkpointStore, ICurrentTenant tenant, TimeProvider time)
{
    public const string AllTiers = "all";

    /// <summary>The tiers with a chip; raw history is the messages and only counted.</summary>
    public static IReadOnlyList<MemoryTier> BrowsableTiers { get; } = [MemoryTier.PinnedBlock, MemoryTier.ArchivalFact, MemoryTier.DailyEpisode, MemoryTier.AttachmentSummary];

    public string TenantId => tenant.TenantId;

    /// <summary>Items per tier; null until read.</summary>
    public IReadOnlyDictionary<MemoryTier, int>? Counts { get; private set; }

    public int Checkpoints { get; private set; }

    public string? LoadError { get; private set; }

    /// <summary>The chosen tier chip (its API name), or <see cref="AllTiers"/>.</summary>
    public string TierFilter { get; private set; } = AllTiers;

    public string? Search { get; private set; }

    public int StoredTotal => BrowsableTiers.Sum(CountOf);

    public PanelStateKind State => LoadError is not null ? PanelStateKind.Error
        : Counts is null ? PanelStateKind.Loading
        : Counts.Values.Sum() + Checkpoints == 0 ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    public string? StateMessage => State switch
    {
        PanelStateKind.Error => LoadError,
        PanelStateKind.Loading => "Loading memory…",
        PanelStateKind.Empty => "No memory yet. Add a fact or a pinned block, or let the agent save one (memory_save); daily episodes and attachment summaries appear here as they are written.",
        _ => null,
    };

    public string? Badge => Counts is null ? null : $"{StoredTotal:N0} items · {CountOf(MemoryTier.PinnedBlock):N0} pinned";

    public string NoRecordsText => string.IsNullOrWhiteSpace(Search)
        ? TierFilter == AllTiers ? "Nothing remembered yet." : $"No {TierFilterLabel.ToLowerInvariant()} yet."
        : $"Nothing in {(TierFilter == AllTiers ? "memory" : TierFilterLabel.ToLowerInvariant())} matches \"{Search}\".";

    private string TierFilterLabel => MemoryTiers.TryParse(TierFilter, out var t) ? MemoryTiers.Label(t) : "memory";

    public int CountOf(MemoryTier tier) => Counts?.GetValueOrDefault(tier) ?? 0;

    /// <summary>Chooses a tier chip (its API name); null or an unknown name shows every tier.</summary>
    public void SelectTier(string? value) => TierFilter = value ?? AllTiers;

    public void SetSearch(string? value) => Search = value;

    public void ClearError() => LoadError = null;

    /// <summary>Reads the counts per tier and the checkpoints; a failure becomes <see cref="LoadError"/>.</summary>
    public async Task LoadCountsAsync(CancellationToken cancellationToken)
    {
        try
        {
            Checkpoints = await checkpointStore.CountAsync(TenantId, cancellationToken);
            Counts = await memory.CountAsync(TenantId, cancellationToken);
            LoadError = null;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            LoadError = $"Memory could not be loaded: {ex.Message}";
        }
    }

    /// <summary>One page of the items of the chosen tier that match the search, newest first; a failure becomes <see cref="LoadError"/> and an empty page.</summary>
    public async Task<MemoryPage> LoadPageAsync(int pageIndex, int pageSize, CancellationToken cancellationToken)
    {
        try
        {
            MemoryTier? tier = MemoryTiers.TryParse(TierFilter, out var t) ? t : null;
            return await memory.SearchAsync(TenantId, tier, Search, pageIndex * pageSize, pageSize, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            LoadError = $"Memory could not be loaded: {ex.Message}";
            return new MemoryPage([], 0);
        }
    }

    public Task PinAsync(MemoryItem item, CancellationToken cancellationToken) => memory.PinAsync(TenantId, item.Id, cancellationToken);

    public Task UnpinAsync(MemoryItem item, CancellationToken cancellationToken) => memory.UnpinAsync(TenantId, item.Id, cancellationToken);

    /// <summary>Deletes the item; throws <see cref="KeyNotFoundException"/> when it was already gone, which the action runner shows.</summary>
    public async Task ForgetAsync(MemoryItem item, CancellationToken cancellationToken)
    {
        if (!await memory.ForgetAsync(TenantId, item.Id, cancellationToken))
        {
            throw new KeyNotFoundException("This item was already deleted.");
        }
    }

    public static Confirmation ForgetConfirmation(MemoryItem item) =>
        new("Delete this memory?", "The agent will no longer see or recall it. This cannot be undone.", "Delete", Shorten(item.Content));

    public static Color TierColor(MemoryTier tier) => tier switch
    {
        MemoryTier.PinnedBlock => Color.Primary,
        MemoryTier.ArchivalFact => Color.Info,
        MemoryTier.DailyEpisode => Color.Secondary,
        MemoryTier.AttachmentSummary => Color.Success,
        _ => Color.Default,
    };

    public static string SourceText(MemoryItem item) => item.Source switch
    {
        MemorySource.Person => "You",
        MemorySource.Agent => item.AgentId is { } agent ? $"The agent ({agent})" : "The agent",
        MemorySource.Session => "Session summary",
        MemorySource.Message => "A message",
        MemorySource.Attachment => "Attachment",
        _ => item.Source.ToString(),
    };

    /// <summary>Where the item came from: the attachment's file, or the chat (session) it was saved in.</summary>
    public static (string Href, string Text)? SourceLink(MemoryItem item) =>
        item.AttachmentId is { } attachment ? ($"/api/attachments/{attachment}/content", item.Title.Length > 0 ? item.Title : "file")
        : item.SessionId is { } session ? ($"/chat/{session}", item.SourceMessageId is null ? "in chat" : "message in chat")
        : null;

    /// <summary>How long ago an item was updated; the date once it is a day old.</summary>
    public string Ago(DateTimeOffset at)
    {
        var age = time.GetUtcNow() - at;
        return age.TotalMinutes < 1 ? "just now"
            : age.TotalHours < 1 ? $"{(int)age.TotalMinutes} min ago"
            : age.TotalDays < 1 ? $"{(int)age.TotalHours} h ago"
            : at.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
    }

    public static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
