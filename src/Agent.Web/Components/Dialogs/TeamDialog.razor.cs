using Agent.Domain.Configuration;
using Agent.Runtime.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Dialogs;

/// <summary>Adds or edits a team: coordinator, members and limits, validated against the profiles before it is stored.</summary>
public sealed partial class TeamDialog
{
    private List<string> errors = [];
    private bool saving;

    [CascadingParameter]
    public IMudDialogInstance? Dialog { get; set; }

    [Parameter, EditorRequired]
    public required TeamOptions Team { get; set; }

    [Parameter]
    public bool IsNew { get; set; }

    [Parameter, EditorRequired]
    public required string TenantId { get; set; }

    [Parameter]
    public IReadOnlyList<AgentProfileOptions> Profiles { get; set; } = [];

    [Inject]
    public required TeamCatalog Catalog { get; init; }

    private void SetMembers(IEnumerable<string> members) => Team.Members = [.. members];

    private async Task SaveAsync()
    {
        saving = true;
        errors = [];
        try
        {
            Team.Id = (Team.Id ?? "").Trim();
            await Catalog.SaveTeamAsync(TenantId, Team, CancellationToken.None, mustBeNew: IsNew);
            Dialog?.Close(DialogResult.Ok(Team.Id));
        }
        catch (TeamConfigException ex)
        {
            errors = [.. ex.Errors.Select(e => e.ToString())];
        }
        finally
        {
            saving = false;
        }
    }

    private void Cancel() => Dialog?.Cancel();
}
