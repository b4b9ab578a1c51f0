using System.ComponentModel.DataAnnotations;
using Agent.Domain.Configuration;
using Agent.Domain.Memory;
using Agent.Runtime.Memories;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using MudBlazor;

namespace Agent.Web.Components.Dialogs;

/// <summary>Adds a pinned block or archival fact, or edits an item's title and content; the service's refusal shows in the dialog.</summary>
public sealed partial class MemoryEditDialog
{
    private readonly MemoryForm form = new();
    private string? error;
    private bool saving;

    [CascadingParameter]
    public IMudDialogInstance? Dialog { get; set; }

    /// <summary>The item to edit; null to add one.</summary>
    [Parameter]
    public MemoryItem? Existing { get; set; }

    [Inject]
    public required MemoryService Memory { get; init; }

    [Inject]
    public required ICurrentTenant Tenant { get; init; }

    [Inject]
    public required IOptions<AgentOptions> Options { get; init; }

    private string LimitText
    {
        get
        {
            var tier = Existing?.Tier ?? form.Tier;
            var max = tier == MemoryTier.PinnedBlock ? Options.Value.Memory.PinnedBlockMaxChars : Options.Value.Memory.FactMaxChars;
            return $"{form.Content?.Length ?? 0:N0} / {max:N0} characters";
        }
    }

    protected override void OnParametersSet()
    {
        if (Existing is not null)
        {
            form.Title = Existing.Title;
            form.Content = Existing.Content;
            form.Tier = Existing.Tier;
        }
    }

    private async Task SubmitAsync()
    {
        saving = true;
        error = null;
        try
        {
            var item = Existing is null
                ? await Memory.SaveAsync(Tenant.TenantId, form.Tier, form.Content, form.Title, MemorySource.Person, null, null, CancellationToken.None)
                : await Memory.EditAsync(Tenant.TenantId, Existing.Id, form.Content, form.Title ?? "", CancellationToken.None);
            Dialog?.Close(DialogResult.Ok(item));
        }
        catch (Exception ex) when (ex is MemoryRuleException or KeyNotFoundException)
        {
            error = ex.Message;
        }
        finally
        {
            saving = false;
        }
    }

    private void Cancel() => Dialog?.Cancel();

    private sealed class MemoryForm
    {
        public MemoryTier Tier { get; set; } = MemoryTier.ArchivalFact;

        [StringLength(120, ErrorMessage = "A title holds at most 120 characters.")]
        public string? Title { get; set; }

        [Required(ErrorMessage = "Write what should be remembered.")]
        public string? Content { get; set; }
    }
}
