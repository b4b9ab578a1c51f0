using System.Collections.Concurrent;
using System.Threading.Channels;
using Agent.Domain.Sessions;
using Agent.Domain.Telemetry;
using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;
using Agent.Web.Components.Chat;
using Bunit;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

public sealed class MessageViewTests : AgentTestContext
{
    private static readonly Guid Session = Guid.NewGuid();

    public MessageViewTests()
    {
        Services.AddSingleton<MarkdownRenderer>();
        Services.AddSingleton<Agent.Runtime.Clients.Voice.ITextToSpeech>(new NoSpeech());
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new Agent.Domain.Configuration.AgentOptions()));
        Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(new ExecutionRuntimeOptions()));
        Services.AddSingleton<IExecutionEventSource>(events);
        Services.AddSingleton(TimeProvider.System);
        Services.AddLogging();
    }

    private readonly ScriptedEvents events = new();

    [Fact]
    public void Complete_reply_shows_model_mode_usage_and_timings_with_regenerate()
    {
        var reply = Reply(MessageStatus.Complete, "**done**") with
        {
            Usage = new TokenUsage(12, 40, 0, 0, "gpt-4o-mini", "openai"),
            ProviderName = "openai",
            ModelId = "gpt-4o-mini",
            ProviderMode = "live",
            TimeToFirstTokenMs = 84,
            TokensPerSecond = 52.5,
        };

        var view = Render<MessageView>(p => p.Add(x => x.Message, reply));

        Assert.Equal("complete", view.Find("article").GetAttribute("data-status"));
        Assert.Equal("<strong>done</strong>", view.Find(".message-body strong").OuterHtml);
        Assert.Equal("openai · gpt-4o-mini · live · 12 in / 40 out tokens · first token 84 ms · 52.5 tokens/s", view.Find("[data-meta]").TextContent);
        Assert.Single(view.FindAll("button[aria-label=Regenerate]"));
        Assert.Empty(view.FindAll("[data-status-chip]"));
    }

    [Fact]
    public void A_reply_without_provider_usage_shows_its_estimate_marked_with_cost_total_time_and_retries()
    {
        var reply = Reply(MessageStatus.Complete, "counted by us") with
        {
            Usage = new TokenUsage(20, 7, 0, 0, "local-llama", "ollama", IsEstimate: true),
            Cost = 0.000042m,
            TotalTimeMs = 2400,
            Retries = 2,
        };

        var view = Render<MessageView>(p => p.Add(x => x.Message, reply));

        var meta = view.Find("[data-meta]");
        Assert.Equal("true", meta.GetAttribute("data-usage-estimated"));
        Assert.Equal("~20 in / ~7 out tokens (estimated: the provider reported no usage) · 0.000042 USD · total 2.4 s · 2 retries", meta.TextContent);
    }

    [Fact]
    public void Deterministic_reply_is_labelled_so()
    {
        var view = Render<MessageView>(p => p.Add(x => x.Message, Reply(MessageStatus.Complete, "scripted") with { ProviderMode = "deterministic" }));

        var tag = view.Find("[data-mode-tag]");
        Assert.Equal("deterministic", tag.TextContent.Trim());
        Assert.Equal("Scripted offline reply, not a live model", tag.GetAttribute("title"));
    }

    [Theory]
    [InlineData(MessageStatus.Cancelled, "partial", new[] { "Continue", "Retry" })]
    [InlineData(MessageStatus.Interrupted, "partial", new[] { "Continue", "Retry" })]
    [InlineData(MessageStatus.Interrupted, "", new[] { "Retry" })]
    [InlineData(MessageStatus.Failed, "", new[] { "Retry" })]
    public void Unfinished_replies_show_their_status_and_recovery_actions(MessageStatus status, string text, string[] actions)
    {
        var view = Render<MessageView>(p => p.Add(x => x.Message, Reply(status, text) with { Error = status == MessageStatus.Cancelled ? null : "openai HTTP 429 rate_limited: slow down. To fix: wait." }));

        var name = status.ToString().ToLowerInvariant();
        Assert.Equal(name, view.Find("article").GetAttribute("data-status"));
        Assert.Contains(view.FindAll("[data-status-chip]"), chip => chip.TextContent.Trim() == name);
        Assert.Equal(actions, view.FindAll(".message-actions .mud-button-root:not(.mud-icon-button)").Select(b => b.TextContent.Trim()));
        if (status != MessageStatus.Cancelled)
        {
            Assert.Contains("To fix: wait.", view.Find(".message-error").TextContent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Streaming_reply_shows_its_stored_text_then_follows_its_execution()
    {
        var reply = Reply(MessageStatus.Streaming, "Hel");
        var executionId = Guid.NewGuid();

        var view = Render<MessageView>(p => p.Add(x => x.Message, reply).Add(x => x.Live, new StreamingReply(reply.Id, null)).Add(x => x.Busy, true));

        Assert.Equal("Hel", view.Find("[data-live=true]").TextContent.Trim());
        Assert.Empty(view.FindAll(".message-actions button"));

        view.Render(p => p.Add(x => x.Live, new StreamingReply(reply.Id, executionId)));
        events.Send(executionId, new ExecutionTextEvent(new ExecutionCursor(3, 3, 0), new ReplyTextChunk(reply.Id, 0, "Hel")));
        events.Send(executionId, new ExecutionTextEvent(new ExecutionCursor(3, 15, 0), new ReplyTextChunk(reply.Id, 3, "lo **world**")));
        view.WaitForAssertion(() => Assert.Equal("Hello world", view.Find("[data-live=true]").TextContent.Trim()));
        Assert.Equal("world", view.Find("[data-live=true] strong").TextContent);
        Assert.Equal(("local", ExecutionCursor.Start), events.SubscribedBy(executionId));
    }

    [Fact]
    public void Branch_switcher_shows_the_position_and_moves_between_siblings()
    {
        var first = Reply(MessageStatus.Complete, "one");
        var second = Reply(MessageStatus.Complete, "two");
        var third = Reply(MessageStatus.Complete, "three");
        Guid? switchedTo = null;

        var view = Render<MessageView>(p => p
            .Add(x => x.Message, second)
            .Add(x => x.Branch, new BranchInfo(1, 3, first.Id, third.Id))
            .Add(x => x.OnSwitch, id => switchedTo = id));

        Assert.Equal("2 / 3", view.Find("[data-branch-position]").TextContent);
        view.Find("button[aria-label='Next branch']").Click();
        Assert.Equal(third.Id, switchedTo);
        view.Find("button[aria-label='Previous branch']").Click();
        Assert.Equal(first.Id, switchedTo);

        var last = Render<MessageView>(p => p.Add(x => x.Message, third).Add(x => x.Branch, new BranchInfo(2, 3, second.Id, null)));
        Assert.True(last.Find("button[aria-label='Next branch']").HasAttribute("disabled"));
    }

    [Fact]
    public void Tool_calls_show_as_cards_in_the_order_they_happened_with_result_and_approver()
    {
        var reply = Reply(MessageStatus.Complete, "") with
        {
            Parts =
            [
                new TextPart("Let me check."),
                new ToolCallPart("c1", "calculator", "{\"expression\":\"2+3\"}"),
                new ToolResultPart("c1", "5", false, "runs without asking", 2),
                new TextPart("It is 5."),
            ],
        };

        var view = Render<MessageView>(p => p.Add(x => x.Message, reply));

        var body = view.Find(".message-body");
        Assert.Equal(["P", "DIV", "P"], body.Children.Select(c => c.TagName));
        Assert.Contains("tool-card", body.Children[1].ClassName, StringComparison.Ordinal);
        var card = view.Find("[data-tool-call=c1]");
        Assert.Equal("done", card.GetAttribute("data-tool-state"));
        Assert.Equal("{\"expression\":\"2+3\"}", card.QuerySelector("[data-tool-arguments]")!.TextContent);
        Assert.Equal("5", card.QuerySelector("[data-tool-result]")!.TextContent);
        Assert.Equal("runs without asking · 2 ms", card.QuerySelector("[data-tool-meta]")!.TextContent);
    }

    [Fact]
    public void A_call_awaiting_approval_offers_approve_once_for_the_session_and_deny_with_a_reason()
    {
        var reply = Reply(MessageStatus.Streaming, "") with { Parts = [new ToolCallPart("c9", "workspace_write", "{\"path\":\"a.txt\"}")] };
        var request = new Agent.Domain.Tools.ToolApprovalRequest(Guid.NewGuid(), "local", Session, null, "c9", "workspace_write", "{\"path\":\"a.txt\"}", "tool has effects Writes", DateTimeOffset.UnixEpoch);
        (Guid, bool)? approved = null;
        (Guid, string?)? denied = null;

        var view = Render<MessageView>(p => p
            .Add(x => x.Message, reply)
            .Add(x => x.Approvals, new Dictionary<string, Agent.Domain.Tools.ToolApprovalRequest> { ["c9"] = request })
            .Add(x => x.OnApprove, d => approved = d)
            .Add(x => x.OnDeny, d => denied = d));

        Assert.Equal("awaiting-approval", view.Find("[data-tool-call=c9]").GetAttribute("data-tool-state"));
        Assert.Contains("tool has effects Writes", view.Find("[data-tool-call=c9] .mud-alert").TextContent, StringComparison.Ordinal);
        view.Find("[data-approve=session]").Click();
        Assert.Equal((request.Id, true), approved);
        view.Find(".deny-reason input").Input("not now");
        view.Find("[data-approve=deny]").Click();
        Assert.Equal((request.Id, "not now"), denied);
    }

    [Fact]
    public void User_text_is_shown_verbatim_never_as_html()
    {
        var view = Render<MessageView>(p => p.Add(x => x.Message, Reply(MessageStatus.Complete, "<b>not bold</b>") with { Role = MessageRole.User }));

        Assert.Equal("<b>not bold</b>", view.Find(".user-text").TextContent);
        Assert.Empty(view.FindAll(".user-text b"));
        Assert.Single(view.FindAll("button[aria-label=Edit]"));
    }

    private static SessionMessage Reply(MessageStatus status, string text) => new()
    {
        Id = Guid.NewGuid(),
        SessionId = Session,
        TenantId = "local",
        ParentId = Guid.NewGuid(),
        Role = MessageRole.Assistant,
        Parts = text.Length == 0 ? [] : [new TextPart(text)],
        Status = status,
        CreatedAt = DateTimeOffset.UnixEpoch,
        UpdatedAt = DateTimeOffset.UnixEpoch,
    };

    /// <summary>Text to speech that is not configured: the message offers no player, only the reason.</summary>
    /// <summary>Execution events the test sends by hand, per execution.</summary>
    private sealed class ScriptedEvents : IExecutionEventSource
    {
        private readonly ConcurrentDictionary<Guid, Channel<ExecutionStreamEvent>> streams = new();
        private readonly ConcurrentDictionary<Guid, (string, ExecutionCursor)> subscribers = new();

        public void Send(Guid executionId, ExecutionStreamEvent item) => Assert.True(StreamOf(executionId).Writer.TryWrite(item));

        public (string Tenant, ExecutionCursor Start) SubscribedBy(Guid executionId) => subscribers[executionId];

        public Task<IAsyncEnumerable<ExecutionStreamEvent>?> SubscribeAsync(string tenantId, Guid executionId, ExecutionCursor start, TimeSpan keepAlive, CancellationToken cancellationToken)
        {
            subscribers[executionId] = (tenantId, start);
            return Task.FromResult<IAsyncEnumerable<ExecutionStreamEvent>?>(StreamOf(executionId).Reader.ReadAllAsync(cancellationToken));
        }

        private Channel<ExecutionStreamEvent> StreamOf(Guid executionId) => streams.GetOrAdd(executionId, _ => Channel.CreateUnbounded<ExecutionStreamEvent>());
    }

    private sealed class NoSpeech : Agent.Runtime.Clients.Voice.ITextToSpeech
    {
        public Agent.Domain.Voice.VoiceAvailability Availability { get; } = Agent.Domain.Voice.VoiceAvailability.Blocked("tts", "kokoro_http", "not configured", "set KOKORO_URL");

        public Task<Agent.Domain.Voice.SpeechAudio> SpeakAsync(string text, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("Speech is not configured in this test.");
    }
}
