using System.Globalization;
using Agent.Web.ControlPlane;
using Microsoft.AspNetCore.Components;

namespace Agent.Web.Components.Controls;

/// <summary>The answer of one control-plane operation: a sentence and a status chip, then the request line and body on demand.</summary>
public sealed partial class AdminAnswer
{
    private bool detailsOpen;
    private RuntimeAdminResult? shown;

    /// <summary>The form's name, for data-admin-answer.</summary>
    [Parameter, EditorRequired]
    public required string Name { get; set; }

    /// <summary>The request line the endpoint would have seen, for example <c>POST /api/admin/runtime/dids/map</c>.</summary>
    [Parameter]
    public string? Request { get; set; }

    [Parameter]
    public RuntimeAdminResult? Result { get; set; }

    /// <summary>The outcome in words, for example "Mapped +15551234567 to tenant local."</summary>
    [Parameter]
    public string? Sentence { get; set; }

    private string StatusName => Result switch
    {
        { Succeeded: true } => "ok",
        { StatusCode: >= 500 } => "failed",
        _ => "refused",
    };

    private string StatusLabel => Result switch
    {
        { Succeeded: true } => "done",
        { StatusCode: RuntimeAdminResult.NotFound } => "not found",
        { StatusCode: >= 500 } => "failed",
        { StatusCode: var code } => "refused " + code.ToString(CultureInfo.InvariantCulture),
        null => "",
    };

    protected override void OnParametersSet()
    {
        // A new answer starts with its details closed, like the first one.
        if (!ReferenceEquals(shown, Result))
        {
            shown = Result;
            detailsOpen = false;
        }
    }

    private void ToggleDetails() => detailsOpen = !detailsOpen;
}
