using Agent.Domain.Memory;
using Agent.Domain.Storage;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;

namespace Agent.Web.Components.Pages;

/// <summary>Memory items counted per tier and the checkpoints, read from the stores; says plainly that browsing memory is not built yet.</summary>
public sealed partial class Memory : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private IReadOnlyDictionary<MemoryTier, int>? counts;
    private int checkpoints;
    private string? error;

    [Inject]
    public required ICurrentTenant CurrentTenant { get; init; }

    [Inject]
    public required IMemoryStore MemoryStore { get; init; }

    [Inject]
    public required ICheckpointStore Checkpoints { get; init; }

    private int Total => counts?.Values.Sum() ?? 0;

    private PanelStateKind State => error is not null ? PanelStateKind.Error
        : counts is null ? PanelStateKind.Loading
        : Total + checkpoints == 0 ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    private string? StateMessage => State switch
    {
        PanelStateKind.Error => error,
        PanelStateKind.Loading => "Counting memory items…",
        PanelStateKind.Empty => "No memory yet. Raw history, daily episodes, pinned blocks, archival facts and attachment summaries are counted here as conversations create them.",
        _ => null,
    };

    private string? Badge => counts is null ? null : $"{Total:N0} items · {checkpoints:N0} checkpoints";

    protected override async Task OnInitializedAsync()
    {
        try
        {
            var tenant = CurrentTenant.TenantId;
            checkpoints = await Checkpoints.CountAsync(tenant, disposed.Token);
            counts = await MemoryStore.CountByTierAsync(tenant, disposed.Token);
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            error = $"Memory could not be counted: {ex.Message}";
        }
    }

    internal static string TierName(MemoryTier tier) => tier switch
    {
        MemoryTier.RawHistory => "Raw history",
        MemoryTier.DailyEpisode => "Daily episodes",
        MemoryTier.PinnedBlock => "Pinned blocks",
        MemoryTier.ArchivalFact => "Archival facts",
        MemoryTier.AttachmentSummary => "Attachment summaries",
        _ => tier.ToString(),
    };

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
