using Agent.Domain.Context;
using Agent.Runtime.Chat.Context;
using Agent.Runtime.Telemetry;
using Microsoft.Extensions.AI;

namespace Agent.Web.Tests.Context;

public sealed class ChunkedSummarizerTests
{
    /// <summary>Records every request and answers with a summary as long as it was allowed to be.</summary>
    private sealed class RecordingClient : IChatClient
    {
        public List<(List<ChatMessage> Messages, ChatOptions? Options)> Requests { get; } = [];

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Requests.Add((messages.ToList(), options));
            var words = string.Join(' ', Enumerable.Repeat("summary", (options?.MaxOutputTokens ?? 10) * 2));
            return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, words)));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    [Theory]
    [InlineData("gpt-4o-mini", 1000)]
    [InlineData("scripted-echo", 600)]
    [InlineData("claude-sonnet-4-5", 4096)]
    public async Task Every_summarizer_request_with_its_reply_fits_the_window_however_long_the_session(string model, int window)
    {
        var counter = new TiktokenTokenCounter();
        var client = new RecordingClient();
        var lines = Enumerable.Range(0, 300).Select(i => $"User: message {i} about the garden, roses, an apple tree and the weather in spring ({i * 7})").ToList();
        lines.Insert(40, "Assistant: " + string.Join(' ', Enumerable.Repeat("a very long reply that alone is larger than the window", 400)));
        var previous = string.Join(' ', Enumerable.Repeat("an earlier summary that is far too long", 300));

        var summary = await new ChunkedSummarizer(counter).SummarizeAsync(client, model, previous, lines, window, CancellationToken.None);

        Assert.True(client.Requests.Count > 1, "a session this long is summarized in chunks");
        foreach (var (messages, options) in client.Requests)
        {
            var request = messages.Sum(m => counter.Count(model, m.Text).Tokens + ContextText.PerMessageOverhead);
            Assert.True(request + options!.MaxOutputTokens!.Value <= window, $"request {request} + reply {options.MaxOutputTokens} > window {window}");
        }

        Assert.True(counter.Count(model, summary).Tokens <= ChunkedSummarizer.SummaryTokens(window));
        Assert.Contains("message 299", client.Requests[^1].Messages[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_window_too_small_to_summarize_in_is_refused_with_the_reason()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            new ChunkedSummarizer(new TiktokenTokenCounter()).SummarizeAsync(new RecordingClient(), "m", null, ["User: hi"], 100, CancellationToken.None));
        Assert.Contains("too small to summarize in", error.Message, StringComparison.Ordinal);
    }
}
