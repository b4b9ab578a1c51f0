using System.Globalization;
using Agent.Domain.Context;
using Agent.Domain.Storage;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Dialogs;

/// <summary>"What the model saw" for one reply: the parts of its request in the order sent, with token counts.</summary>
public sealed partial class ContextDialog
{
    private TurnContext? context;
    private string? error;

    [CascadingParameter]
    public IMudDialogInstance? Dialog { get; set; }

    [Parameter, EditorRequired]
    public Guid ExecutionId { get; set; }

    [Inject]
    public required ITurnContextStore Contexts { get; init; }

    [Inject]
    public required ICurrentTenant Tenant { get; init; }

    protected override async Task OnInitializedAsync()
    {
        context = await Contexts.FindAsync(Tenant.TenantId, ExecutionId, CancellationToken.None);
        if (context is null)
        {
            error = "No context was recorded for this reply (replies from before this version, or a turn that never started).";
        }
    }

    public static string Tokens(int tokens) => tokens.ToString("N0", CultureInfo.InvariantCulture);

    private static string Percent(int part, int whole) => whole <= 0 ? "0%" : ((double)part / whole).ToString("P0", CultureInfo.InvariantCulture);

    public static string KindLabel(ContextPartKind kind) => kind switch
    {
        ContextPartKind.System => "System",
        ContextPartKind.Skills => "Skills",
        ContextPartKind.Pinned => "Pinned",
        ContextPartKind.Recalled => "Recalled",
        ContextPartKind.Episode => "Episode",
        ContextPartKind.CompactionSummary => "Summary",
        ContextPartKind.RecentTurns => "Turns",
        _ => "Instruction",
    };

    private static Color KindColor(ContextPartKind kind) => kind switch
    {
        ContextPartKind.Pinned => Color.Secondary,
        ContextPartKind.CompactionSummary => Color.Info,
        ContextPartKind.RecentTurns => Color.Primary,
        _ => Color.Default,
    };

    private void Close() => Dialog?.Close();
}
