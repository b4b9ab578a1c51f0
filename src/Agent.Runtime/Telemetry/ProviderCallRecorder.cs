using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Runtime.Clients.Common;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Telemetry;

/// <summary>Who a turn's provider calls are recorded for.</summary>
public sealed record ProviderCallScope(string TenantId, Guid? SessionId, Guid? ExecutionId, string Provider, string Model);

/// <summary>
/// Wraps one turn's chat client. For every model call it keeps the usage the provider reported or, where the provider
/// reported none (many OpenAI-compatible servers send no usage when streaming), our tokenizer's count marked as an
/// estimate; and it writes a provider_call trace event (duration, time to first token, attempts, usage, outcome).
/// <see cref="Usage"/> and <see cref="Retries"/> are the turn's sums.
/// </summary>
public sealed class ProviderCallRecorder(IChatClient inner, ProviderCallScope scope, ITokenCounter counter, ITraceStore traces, TimeProvider time, ILogger logger)
    : DelegatingChatClient(inner)
{
    /// <summary>UsageDetails.AdditionalCounts key: how many calls of the sum were estimated.</summary>
    public const string EstimatedCallsKey = "agent.estimated_calls";

    private const int TokensPerMessage = 4; // the chat format's framing per message (OpenAI's documented overhead)
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lock gate = new();
    private UsageDetails? usage;
    private int retries;

    /// <summary>The turn's usage so far, or null before any call ended.</summary>
    public UsageDetails? Usage
    {
        get
        {
            lock (gate)
            {
                return usage is null ? null : Copy(usage);
            }
        }
    }

    public int Retries => Volatile.Read(ref retries);

    /// <summary>Whether any call of the sum was estimated.</summary>
    public static bool IsEstimated(UsageDetails details) =>
        details?.AdditionalCounts?.TryGetValue(EstimatedCallsKey, out var n) == true && n > 0;

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var prompt = messages as IList<ChatMessage> ?? messages.ToList();
        var started = time.GetTimestamp();
        long? firstTokenAt = null;
        var attempts = 1;
        UsageDetails? reported = null;
        var output = new StringBuilder();
        var outcome = "cancelled";
        string? error = null;
        var enumerator = base.GetStreamingResponseAsync(prompt, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        outcome = "ok";
                        break;
                    }
                }
                catch (OperationCanceledException)
                {
                    outcome = "cancelled";
                    throw;
                }
                catch (Exception ex)
                {
                    outcome = "failed";
                    error = ex is ProviderException p ? p.Error.Code : ex.GetType().Name;
                    throw;
                }

                var update = enumerator.Current;
                if (update.AdditionalProperties?.TryGetValue(ProviderChatClient.AttemptsProperty, out var a) == true && a is int n)
                {
                    attempts = n;
                }

                foreach (var content in update.Contents)
                {
                    switch (content)
                    {
                        case TextContent text:
                            firstTokenAt ??= time.GetTimestamp();
                            output.Append(text.Text);
                            break;
                        case FunctionCallContent call:
                            output.Append(call.Name).Append(JsonSerializer.Serialize(call.Arguments, Json));
                            break;
                        case UsageContent u:
                            reported = u.Details;
                            break;
                    }
                }

                yield return update;
            }
        }
        finally
        {
            await enumerator.DisposeAsync();
            await RecordAsync(prompt, output.ToString(), reported, attempts, started, firstTokenAt, outcome, error);
        }
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var prompt = messages as IList<ChatMessage> ?? messages.ToList();
        var started = time.GetTimestamp();
        ChatResponse? response = null;
        var outcome = "cancelled";
        string? error = null;
        try
        {
            response = await base.GetResponseAsync(prompt, options, cancellationToken);
            outcome = "ok";
            return response;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            outcome = "failed";
            error = ex is ProviderException p ? p.Error.Code : ex.GetType().Name;
            throw;
        }
        finally
        {
            var attempts = response?.AdditionalProperties?.TryGetValue(ProviderChatClient.AttemptsProperty, out var a) == true && a is int n ? n : 1;
            await RecordAsync(prompt, response?.Text ?? "", response?.Usage, attempts, started, null, outcome, error);
        }
    }

    private async Task RecordAsync(IList<ChatMessage> prompt, string output, UsageDetails? reported, int attempts, long started, long? firstTokenAt, string outcome, string? error)
    {
        var call = Complete(prompt, output, reported);
        lock (gate)
        {
            if (usage is null)
            {
                usage = Copy(call);
            }
            else
            {
                usage.Add(call);
            }
        }

        Interlocked.Add(ref retries, Math.Max(0, attempts - 1));
        var durationMs = time.GetElapsedTime(started).TotalMilliseconds;
        var data = JsonSerializer.Serialize(
            new
            {
                provider = scope.Provider,
                model = scope.Model,
                outcome,
                error,
                attempts,
                retries = Math.Max(0, attempts - 1),
                timeToFirstTokenMs = firstTokenAt is { } first ? time.GetElapsedTime(started, first).TotalMilliseconds : (double?)null,
                inputTokens = call.InputTokenCount,
                outputTokens = call.OutputTokenCount,
                cachedInputTokens = call.CachedInputTokenCount,
                reasoningTokens = call.ReasoningTokenCount,
                estimated = IsEstimated(call),
            },
            Json);
        try
        {
            await traces.AddAsync(
                new TraceEvent(Guid.NewGuid(), scope.TenantId, scope.SessionId, scope.ExecutionId, TraceKinds.ProviderCall, $"{scope.Provider}/{scope.Model}", data, durationMs, null, time.GetUtcNow()),
                CancellationToken.None);
        }
        catch (Exception ex)
        {
            // The trace is a record of the call, not part of it: a failed write must not fail the reply.
            logger.LogWarning(ex, "Recording the provider call failed");
        }
    }

    /// <summary>The provider's counts where it gave them; the missing input or output counted by our tokenizer and marked.</summary>
    private UsageDetails Complete(IList<ChatMessage> prompt, string output, UsageDetails? reported)
    {
        var details = reported is null ? new UsageDetails() : Copy(reported);
        var estimated = false;
        if (details.InputTokenCount is null)
        {
            details.InputTokenCount = EstimateInput(prompt);
            estimated = true;
        }

        if (details.OutputTokenCount is null)
        {
            details.OutputTokenCount = counter.Count(scope.Model, output).Tokens;
            estimated = true;
        }

        details.TotalTokenCount = details.InputTokenCount + details.OutputTokenCount;
        (details.AdditionalCounts ??= [])[EstimatedCallsKey] = estimated ? 1 : 0;
        return details;
    }

    private long EstimateInput(IList<ChatMessage> prompt)
    {
        var text = new StringBuilder();
        foreach (var message in prompt)
        {
            foreach (var content in message.Contents)
            {
                switch (content)
                {
                    case TextContent t:
                        text.Append(t.Text).Append('\n');
                        break;
                    case FunctionCallContent call:
                        text.Append(call.Name).Append(JsonSerializer.Serialize(call.Arguments, Json)).Append('\n');
                        break;
                    case FunctionResultContent result:
                        text.Append(JsonSerializer.Serialize(result.Result, Json)).Append('\n');
                        break;
                }
            }
        }

        return counter.Count(scope.Model, text.ToString()).Tokens + (TokensPerMessage * (long)prompt.Count);
    }

    private static UsageDetails Copy(UsageDetails source) => new()
    {
        InputTokenCount = source.InputTokenCount,
        OutputTokenCount = source.OutputTokenCount,
        TotalTokenCount = source.TotalTokenCount,
        CachedInputTokenCount = source.CachedInputTokenCount,
        ReasoningTokenCount = source.ReasoningTokenCount,
        AdditionalCounts = source.AdditionalCounts is null ? null : new AdditionalPropertiesDictionary<long>(source.AdditionalCounts),
    };
}
