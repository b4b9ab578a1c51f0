using Agent.Domain.Sessions;
using Agent.Domain.Tools;
using Agent.Runtime.Chat;
using Agent.Runtime.Clients.Voice;
using Agent.Web.Components.Dialogs;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;
using MudBlazor;

namespace Agent.Web.Components.Chat;

/// <summary>One turn of the transcript. Re-renders only when its own inputs change, so a long transcript costs nothing per chunk.</summary>
public sealed partial class MessageView : IAsyncDisposable
{
    private RenderKey? rendered;
    private IJSObjectReference? voiceModule;
    private string? audioUrl;
    private bool speaking;

    [Parameter, EditorRequired]
    public required SessionMessage Message { get; set; }

    [Parameter]
    public BranchInfo Branch { get; set; } = new(0, 1, null, null);

    /// <summary>Set while this reply streams: its text is then read through its execution's subscription.</summary>
    [Parameter]
    public StreamingReply? Live { get; set; }

    /// <summary>A reply is streaming in the session: no new turn can start.</summary>
    [Parameter]
    public bool Busy { get; set; }

    /// <summary>Pending approvals of this session by tool call id.</summary>
    [Parameter]
    public IReadOnlyDictionary<string, ToolApprovalRequest> Approvals { get; set; } = new Dictionary<string, ToolApprovalRequest>();

    [Parameter]
    public EventCallback<Guid> OnRegenerate { get; set; }

    [Parameter]
    public EventCallback<Guid> OnContinue { get; set; }

    [Parameter]
    public EventCallback<SessionMessage> OnEdit { get; set; }

    [Parameter]
    public EventCallback<Guid> OnSwitch { get; set; }

    [Parameter]
    public EventCallback<(Guid RequestId, bool ForSession)> OnApprove { get; set; }

    [Parameter]
    public EventCallback<(Guid RequestId, string? Reason)> OnDeny { get; set; }

    [Inject]
    public required MarkdownRenderer Markdown { get; init; }

    [Inject]
    public required Microsoft.Extensions.Options.IOptions<Agent.Domain.Configuration.AgentOptions> Options { get; init; }

    [Inject]
    public required IDialogService Dialogs { get; init; }

    [Inject]
    public required IJSRuntime JS { get; init; }

    [Inject]
    public required ISnackbar Snackbar { get; init; }

    [Inject]
    public required ITextToSpeech Tts { get; init; }

    private string RoleName => Message.Role.ToString().ToLowerInvariant();

    private string StatusName => Message.Status.ToString().ToLowerInvariant();

    private string RoleLabel => Message.Role switch
    {
        MessageRole.User => "You",
        MessageRole.Assistant => "Assistant",
        MessageRole.System => "System",
        _ => "Tool",
    };

    private string Meta
    {
        get
        {
            var parts = new List<string>();
            if (Message.ModelId is not null)
            {
                parts.Add($"{Message.ProviderName} · {Message.ModelId} · {Message.ProviderMode}");
            }

            if (Message.Usage is { } usage)
            {
                // An estimate is marked where the figure stands, so it is never read as the provider's count.
                parts.Add(usage.IsEstimate
                    ? $"~{usage.InputTokens} in / ~{usage.OutputTokens} out tokens (estimated: the provider reported no usage)"
                    : $"{usage.InputTokens} in / {usage.OutputTokens} out tokens");
                if (usage.CachedInputTokens > 0)
                {
                    parts.Add($"{usage.CachedInputTokens} cached");
                }

                if (usage.ReasoningTokens > 0)
                {
                    parts.Add($"{usage.ReasoningTokens} reasoning");
                }
            }

            if (Message.Cost is { } cost)
            {
                parts.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{cost:0.######} {Options.Value.Telemetry.Currency}"));
            }

            if (Message.TimeToFirstTokenMs is { } ttft)
            {
                var askedPerson = Message.Parts.OfType<ToolResultPart>().Any(r => r.ApprovedBy?.Contains("by the person", StringComparison.Ordinal) == true);
                parts.Add(askedPerson ? $"first token {ttft:F0} ms (not counting the wait for your approval)" : $"first token {ttft:F0} ms");
            }

            if (Message.TokensPerSecond is { } rate)
            {
                parts.Add($"{rate:F1} tokens/s");
            }

            if (Message.TotalTimeMs is { } total)
            {
                parts.Add($"total {total / 1000:F1} s");
            }

            if (Message.Retries is > 0 and var retries)
            {
                parts.Add(retries == 1 ? "1 retry" : $"{retries} retries");
            }

            return string.Join(" · ", parts);
        }
    }

    /// <summary>The inputs that change what this message shows; the approvals only count for its own tool calls.</summary>
    private sealed record RenderKey(SessionMessage Message, BranchInfo Branch, StreamingReply? Live, bool Busy, string PendingCalls, bool Speaking, string? AudioUrl);

    protected override bool ShouldRender()
    {
        var key = new RenderKey(Message, Branch, Live, Busy, PendingCallsOfThisMessage(), speaking, audioUrl);
        if (key == rendered)
        {
            return false;
        }

        rendered = key;
        return true;
    }

    private string PendingCallsOfThisMessage() =>
        Approvals.Count == 0 ? "" : string.Join(",", Message.Parts.OfType<ToolCallPart>().Where(c => Approvals.ContainsKey(c.CallId)).Select(c => c.CallId));

    private RenderFragment Card(ToolCallPart call) => builder =>
    {
        var result = Message.Parts.OfType<ToolResultPart>().FirstOrDefault(r => r.CallId == call.CallId);
        builder.OpenComponent<ToolCallCard>(0);
        builder.SetKey(call.CallId);
        builder.AddComponentParameter(1, nameof(ToolCallCard.Call), call);
        builder.AddComponentParameter(2, nameof(ToolCallCard.Result), result);
        builder.AddComponentParameter(3, nameof(ToolCallCard.Pending), result is null ? Approvals.GetValueOrDefault(call.CallId) : null);
        builder.AddComponentParameter(4, nameof(ToolCallCard.OnApprove), OnApprove);
        builder.AddComponentParameter(5, nameof(ToolCallCard.OnDeny), OnDeny);
        builder.AddComponentParameter(6, nameof(ToolCallCard.MessageId), Message.Id);
        builder.CloseComponent();
    };

    private Task EditAsync() => OnEdit.InvokeAsync(Message);

    /// <summary>The run (execution) that produced this reply, as a timeline of its provider calls, tool calls and approvals.</summary>
    private Task OpenTraceAsync() => Message.ExecutionId is { } id
        ? Dialogs.ShowAsync<Dialogs.TraceDialog>("Run trace", new DialogParameters<Dialogs.TraceDialog> { { d => d.ExecutionId, id } }, new DialogOptions { MaxWidth = MaxWidth.Large, FullWidth = true, CloseButton = true })
        : Task.CompletedTask;

    private async Task CopyAsync()
    {
        try
        {
            await JS.InvokeVoidAsync("navigator.clipboard.writeText", Message.Text);
            Snackbar.Add("Copied to the clipboard", Severity.Normal);
        }
        catch (JSException ex)
        {
            Snackbar.Add($"The browser refused the clipboard: {ex.Message}", Severity.Warning);
        }
    }

    /// <summary>Reads the reply aloud through /api/voice/speak; the audio appears in a player under the message.</summary>
    private async Task SpeakAsync()
    {
        speaking = true;
        try
        {
            voiceModule ??= await JS.InvokeAsync<IJSObjectReference>("import", "./Components/Chat/ChatView.razor.js");
            var result = await voiceModule.InvokeAsync<VoiceResult>("speak", CancellationToken.None, Markdown.ToSpokenText(Message.Text));
            if (!result.Ok || result.Url is null)
            {
                Snackbar.Add(result.Describe(), Severity.Warning);
                return;
            }

            if (audioUrl is not null)
            {
                await voiceModule.InvokeVoidAsync("releaseAudio", audioUrl);
            }

            audioUrl = result.Url;
        }
        catch (JSException ex)
        {
            Snackbar.Add($"The browser could not play the speech: {ex.Message}", Severity.Warning);
        }
        finally
        {
            speaking = false;
        }
    }

    private Task ShowContextAsync(Guid executionId)
    {
        var parameters = new DialogParameters<ContextDialog> { { d => d.ExecutionId, executionId } };
        var options = new DialogOptions { MaxWidth = MaxWidth.Medium, FullWidth = true, CloseButton = true, CloseOnEscapeKey = true };
        return Dialogs.ShowAsync<ContextDialog>("What the model saw", parameters, options);
    }

    public async ValueTask DisposeAsync()
    {
        if (voiceModule is null)
        {
            return;
        }

        try
        {
            if (audioUrl is not null)
            {
                await voiceModule.InvokeVoidAsync("releaseAudio", audioUrl);
            }

            await voiceModule.DisposeAsync();
        }
        catch (JSDisconnectedException)
        {
            // The circuit is gone, and with it the page that held the audio.
        }
    }
}

/// <summary>A reply streaming right now, and the execution streaming it once the runtime accepted it.</summary>
public sealed record StreamingReply(Guid MessageId, Guid? ExecutionId);
