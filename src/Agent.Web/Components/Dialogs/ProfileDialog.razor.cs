using Agent.Domain.Configuration;
using Agent.Runtime.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Dialogs;

/// <summary>Adds or edits an agent profile; the catalog validates the whole set and the problems show here, nothing is stored then.</summary>
public sealed partial class ProfileDialog
{
    private List<string> errors = [];
    private bool saving;

    [CascadingParameter]
    public IMudDialogInstance? Dialog { get; set; }

    /// <summary>A copy to edit; the caller's list is reloaded after a save.</summary>
    [Parameter, EditorRequired]
    public required AgentProfileOptions Profile { get; set; }

    [Parameter]
    public bool IsNew { get; set; }

    [Parameter, EditorRequired]
    public required string TenantId { get; set; }

    /// <summary>"provider/model" of every configured model.</summary>
    [Parameter]
    public IReadOnlyList<string> Models { get; set; } = [];

    [Parameter]
    public IReadOnlyList<string> Tools { get; set; } = [];

    [Inject]
    public required TeamCatalog Catalog { get; init; }

    private string ModelKey => string.IsNullOrWhiteSpace(Profile.Provider) ? "" : $"{Profile.Provider}/{Profile.Model}";

    private void SetModel(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        Profile.Provider = slash > 0 ? key[..slash] : null;
        Profile.Model = slash > 0 ? key[(slash + 1)..] : null;
    }

    private void SetTools(IEnumerable<string> tools) => Profile.Tools = [.. tools];

    private void SetSkills(string text) =>
        Profile.Skills = [.. (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    private async Task SaveAsync()
    {
        saving = true;
        errors = [];
        try
        {
            Profile.Id = (Profile.Id ?? "").Trim();
            await Catalog.SaveProfileAsync(TenantId, Profile, CancellationToken.None, mustBeNew: IsNew);
            Dialog?.Close(DialogResult.Ok(Profile.Id));
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
