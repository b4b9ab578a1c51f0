using Agent.Domain.Sessions;
using Agent.Runtime.Chat.Context;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Dialogs;

/// <summary>A session's checkpoints with Rewind and Fork (each confirmed), and saving a new one at the shown message.</summary>
public sealed partial class CheckpointsDialog
{
    private IReadOnlyList<Checkpoint>? checkpoints;

    [CascadingParameter]
    public IMudDialogInstance? Dialog { get; set; }

    [Parameter, EditorRequired]
    public Guid SessionId { get; set; }

    [Inject]
    public required CheckpointService Checkpoints { get; init; }

    [Inject]
    public required ICurrentTenant Tenant { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync() => checkpoints = await Checkpoints.ListAsync(Tenant.TenantId, SessionId, CancellationToken.None);

    private async Task SaveAsync()
    {
        if (await Actions.RunAsync(() => Checkpoints.CreateAsync(Tenant.TenantId, SessionId, null, CancellationToken.None), success: "Checkpoint saved"))
        {
            await LoadAsync();
        }
    }

    private async Task RewindAsync(Checkpoint checkpoint)
    {
        var done = await Actions.RunAsync(
            () => Checkpoints.RewindAsync(Tenant.TenantId, SessionId, checkpoint.Id, CancellationToken.None),
            success: $"Rewound to \"{checkpoint.Label}\"",
            confirm: new Confirmation("Rewind", $"Continue this session from \"{checkpoint.Label}\"? The later messages stay as a branch you can switch back to.", "Rewind"));
        if (done)
        {
            Dialog?.Close(DialogResult.Ok(checkpoint.Id));
        }
    }

    private async Task ForkAsync(Checkpoint checkpoint)
    {
        ChatSession? fork = null;
        var done = await Actions.RunAsync(
            async () => fork = await Checkpoints.ForkAsync(Tenant.TenantId, SessionId, checkpoint.Id, CancellationToken.None),
            success: "Forked into a new session",
            confirm: new Confirmation("Fork", $"Start a new session with this conversation up to \"{checkpoint.Label}\"?", "Fork"));
        if (done && fork is not null)
        {
            Dialog?.Close(DialogResult.Ok(fork.Id));
            Navigation.NavigateTo($"/chat/{fork.Id}");
        }
    }

    private static string KindLabel(CheckpointKind kind) => kind switch
    {
        CheckpointKind.Compaction => "compaction",
        CheckpointKind.BeforeRewind => "before rewind",
        _ => "saved",
    };

    private static string IconOf(CheckpointKind kind) => kind switch
    {
        CheckpointKind.Compaction => Icons.Material.Outlined.Compress,
        CheckpointKind.BeforeRewind => Icons.Material.Outlined.History,
        _ => Icons.Material.Outlined.Bookmark,
    };

    private void Close() => Dialog?.Close();
}
