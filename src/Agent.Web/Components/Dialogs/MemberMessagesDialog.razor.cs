using Agent.Domain.Sessions;
using Agent.Domain.Teams;
using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;
using Agent.Runtime.Teams;
using Agent.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Dialogs;

/// <summary>A team member's messages for one task: the task it was given and its reply with its own tool calls, live while it runs.</summary>
public sealed partial class MemberMessagesDialog : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private TeamTask? task;
    private string status = "loading";
    private string? error;
    private IDisposable? subscription;
    private ITimer? ticker;

    [CascadingParameter]
    public IMudDialogInstance? Dialog { get; set; }

    [Parameter, EditorRequired]
    public Guid TaskId { get; set; }

    [Parameter, EditorRequired]
    public required string TenantId { get; set; }

    [Inject]
    public required TeamRunQueries Queries { get; init; }

    [Inject]
    public required ExecutionRuntime Runtime { get; init; }

    [Inject]
    public required LiveUpdates Live { get; init; }

    [Inject]
    public required MarkdownRenderer Markdown { get; init; }

    [Inject]
    public required TimeProvider Time { get; init; }

    protected override async Task OnInitializedAsync()
    {
        subscription = Live.Subscribe(
            LiveTopics.Executions,
            TenantId,
            TimeSpan.FromMilliseconds(300),
            _ => InvokeAsync(LoadAsync),
            change => task?.ExecutionId == change.Execution.Id || status is "running" or "queued" or "created");

        // The member writes its reply every half second without a lifecycle change: re-read while it runs.
        ticker = Time.CreateTimer(_ =>
        {
            if (status is "running" or "queued" or "created")
            {
                _ = InvokeAsync(LoadAsync);
            }
        }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        await LoadAsync();
    }

    private async Task LoadAsync()
    {
        try
        {
            task = await Queries.TaskAsync(TenantId, TaskId, disposed.Token);
            if (task is null)
            {
                error = "This member task no longer exists.";
            }
            else if (task.ExecutionId is { } id && await Runtime.FindAsync(TenantId, id, disposed.Token) is { } record)
            {
                status = record.Status.ToString().ToLowerInvariant();
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex)
        {
            error = $"The member's messages could not be loaded: {ex.Message}";
        }

        StateHasChanged();
    }

    private ToolResultPart? ResultOf(ToolCallPart call) => task?.Parts.OfType<ToolResultPart>().FirstOrDefault(r => r.CallId == call.CallId);

    private void Close() => Dialog?.Close();

    public void Dispose()
    {
        subscription?.Dispose();
        ticker?.Dispose();
        disposed.Cancel();
        disposed.Dispose();
    }
}
