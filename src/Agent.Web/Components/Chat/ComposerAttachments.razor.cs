using Agent.Domain.Memory;
using Agent.Domain.Runtime;
using Agent.Runtime.Memories;
using Agent.Runtime.Runtime;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;

namespace Agent.Web.Components.Chat;

/// <summary>
/// Attachments of the message being written: each file is uploaded as soon as it is chosen or dropped and read by an
/// ingest_attachment execution; its chip follows that execution (reading, ready, failed with the reason). The ids of
/// the ready ones go with the next message.
/// </summary>
public sealed partial class ComposerAttachments : IDisposable
{
    private readonly List<PendingAttachment> items = [];
    private MudFileUpload<IReadOnlyList<IBrowserFile>>? picker;
    private IDisposable? subscription;
    private bool dragging;

    [Parameter, EditorRequired]
    public Guid SessionId { get; set; }

    [Parameter]
    public RenderFragment? ChildContent { get; set; }

    [Inject]
    public required AttachmentService Attachments { get; init; }

    [Inject]
    public required LiveUpdates Live { get; init; }

    [Inject]
    public required ICurrentTenant Tenant { get; init; }

    /// <summary>True while a file is uploading or being read: sending now would leave it out of the prompt.</summary>
    public bool Busy => items.Any(i => i.Attachment is null || i.Attachment.Status == AttachmentStatus.Pending);

    /// <summary>The files to send with the next message.</summary>
    public IReadOnlyList<Guid> ReadyIds => items.Where(i => i.Attachment?.Status == AttachmentStatus.Ready).Select(i => i.Attachment!.Id).ToList();

    protected override void OnInitialized() =>
        subscription = Live.Subscribe(LiveTopics.Executions, Tenant.TenantId, TimeSpan.Zero, OnUploadsEndedAsync, change => change.Execution.Status is ExecutionStatus.Completed or ExecutionStatus.Failed or ExecutionStatus.Cancelled);

    public async Task OpenPickerAsync()
    {
        if (picker is not null)
        {
            await picker.OpenFilePickerAsync();
        }
    }

    /// <summary>Called after a message went out with the ready files.</summary>
    public void ClearSent()
    {
        items.RemoveAll(i => i.Attachment?.Status != AttachmentStatus.Pending);
        StateHasChanged();
    }

    private async Task UploadAsync(InputFileChangeEventArgs args)
    {
        dragging = false;
        foreach (var file in args.GetMultipleFiles(5))
        {
            var item = new PendingAttachment(file.Name);
            items.Add(item);
            StateHasChanged();
            try
            {
                AttachmentText.Validate(file.Name, file.Size, Attachments.MaxBytes);
                await using var stream = file.OpenReadStream(Attachments.MaxBytes + 1);
                var upload = await Attachments.UploadAsync(Tenant.TenantId, SessionId, file.Name, stream, file.Size, CancellationToken.None);
                item.Attachment = upload.Attachment;
                item.ExecutionId = upload.ExecutionId;
                await RefreshAsync(item);
            }
            catch (Exception ex) when (ex is AttachmentRejectedException or KeyNotFoundException or IOException)
            {
                item.Error = ex.Message;
                item.Rejected = true;
            }
        }

        if (picker is not null)
        {
            await picker.ClearAsync();
        }
    }

    private Task OnUploadsEndedAsync(IReadOnlyList<ExecutionChange> changes) => InvokeAsync(async () =>
    {
        var ended = items.Where(i => changes.Any(c => c.Execution.Id == i.ExecutionId)).ToList();
        foreach (var item in ended)
        {
            await RefreshAsync(item);
        }

        if (ended.Count > 0)
        {
            StateHasChanged();
        }
    });

    private async Task RefreshAsync(PendingAttachment item)
    {
        if (item.Attachment is { } attachment && await Attachments.FindAsync(Tenant.TenantId, attachment.Id, CancellationToken.None) is { } current)
        {
            item.Attachment = current;
            item.Error = current.Error;
        }
    }

    private void Remove(PendingAttachment item) => items.Remove(item);

    private static string StateOf(PendingAttachment item) => item.Rejected ? "rejected"
        : item.Attachment is null ? "uploading"
        : item.Attachment.Status.ToString().ToLowerInvariant();

    private static string LabelOf(PendingAttachment item) => StateOf(item) switch
    {
        "uploading" => "uploading…",
        "pending" => "reading…",
        "ready" => "ready",
        _ => "not attached",
    };

    private static Color ColorOf(PendingAttachment item) => StateOf(item) switch
    {
        "ready" => Color.Success,
        "failed" or "rejected" => Color.Error,
        _ => Color.Default,
    };

    private static string IconOf(PendingAttachment item) => StateOf(item) switch
    {
        "ready" => Icons.Material.Filled.Description,
        "failed" or "rejected" => Icons.Material.Filled.ErrorOutline,
        _ => Icons.Material.Filled.HourglassTop,
    };

    public void Dispose() => subscription?.Dispose();

    private sealed class PendingAttachment(string name)
    {
        public string Name { get; } = name;

        public Attachment? Attachment { get; set; }

        public Guid? ExecutionId { get; set; }

        public string? Error { get; set; }

        public bool Rejected { get; set; }
    }
}
