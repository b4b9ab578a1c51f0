using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Clients.Common;

/// <summary>
/// The provider's own link of its pipeline (inside the OpenTelemetry and logging clients), around the SDK's IChatClient: correlation ids and log scopes, the total
/// timeout over the whole call (streamed body included), the attempts count, and every failure (the SDKs' exceptions,
/// the HTTP layer's, the stream tap's) turned into the <see cref="ProviderException"/> the user sees.
/// Disposing it does nothing: <see cref="ProviderClients"/> owns the cached pipeline.
/// </summary>
public sealed class ProviderChatClient : DelegatingChatClient
{
    /// <summary>ChatOptions.AdditionalProperties key a caller may set to log a call under its own correlation id.</summary>
    public const string CorrelationIdProperty = "correlation_id";

    /// <summary>AdditionalProperties key on the first update of a stream (and on a whole response): how many HTTP attempts the request took.</summary>
    public const string AttemptsProperty = "agent.attempts";

    /// <summary>Header carrying the correlation id to the provider (and recorded by the emulator).</summary>
    public const string CorrelationHeader = ProviderHttpHandler.CorrelationHeader;

    private readonly string contract;
    private readonly bool hasKey;
    private readonly ILogger logger;
    private readonly TimeProvider time;

    internal ProviderChatClient(IChatClient inner, ProviderContext context, string modelId, string contract, bool hasKey, ILogger logger, TimeProvider time)
        : base(inner)
    {
        Context = context;
        ModelId = modelId;
        this.contract = contract;
        this.hasKey = hasKey;
        this.logger = logger;
        this.time = time;
    }

    public ProviderContext Context { get; }

    public string ModelId { get; }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = Start(options);
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        total.CancelAfter(TimeSpan.FromMilliseconds(Context.Resilience.TotalTimeoutMs));
        var started = time.GetTimestamp();
        using var scope = BeginScope(call);
        try
        {
            LogStart(messages, stream: false);
            var response = await base.GetResponseAsync(messages, options, total.Token).ConfigureAwait(false);
            (response.AdditionalProperties ??= [])[AttemptsProperty] = call.Attempts;
            response.Usage = Normalize(response.Usage, null);
            logger.LogInformation(
                "Provider call completed in {ElapsedMs} ms: input {InputTokens}, output {OutputTokens} tokens",
                (int)time.GetElapsedTime(started).TotalMilliseconds,
                response.Usage?.InputTokenCount,
                response.Usage?.OutputTokenCount);
            return response;
        }
        catch (Exception ex) when (MapFailure(ex, call, cancellationToken, total.Token, stream: false) is { } mapped)
        {
            LogFailure(mapped.Error);
            throw mapped;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var call = Start(options);
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        total.CancelAfter(TimeSpan.FromMilliseconds(Context.Resilience.TotalTimeoutMs));
        var started = time.GetTimestamp();
        using (BeginScope(call))
        {
            LogStart(messages, stream: true);
        }

        // Disposing the SDK's enumerator (on completion, failure, or when the consumer stops early) aborts the HTTP stream.
        var updates = base.GetStreamingResponseAsync(messages, options, total.Token).GetAsyncEnumerator(total.Token);
        await using var updatesScope = updates.ConfigureAwait(false);
        var chunks = 0;
        UsageDetails? usage = null;
        while (true)
        {
            try
            {
                // The first move sends the request: the HTTP layer logs inside the call's scope.
                using var first = chunks == 0 ? BeginScope(call) : null;
                if (!await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (Exception ex) when (MapFailure(ex, call, cancellationToken, total.Token, stream: true) is { } mapped)
            {
                using (BeginScope(call))
                {
                    LogFailure(mapped.Error, chunks);
                }

                throw mapped;
            }

            var update = updates.Current;
            if (update.Contents.OfType<UsageContent>().LastOrDefault() is { } reported)
            {
                reported.Details = Normalize(reported.Details, call.Tap)!;
                usage = reported.Details;
            }

            if (chunks++ == 0)
            {
                (update.AdditionalProperties ??= [])[AttemptsProperty] = call.Attempts;
            }

            yield return update;
        }

        using var done = BeginScope(call);
        logger.LogInformation(
            "Provider stream completed in {ElapsedMs} ms: {Chunks} updates, input {InputTokens}, output {OutputTokens}, cached {CachedTokens} tokens",
            (int)time.GetElapsedTime(started).TotalMilliseconds,
            chunks,
            usage?.InputTokenCount,
            usage?.OutputTokenCount,
            usage?.CachedInputTokenCount);
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(ProviderContext) ? Context : base.GetService(serviceType, serviceKey);
    }

    protected override void Dispose(bool disposing)
    {
        // The pipeline is cached and shared; ProviderClients disposes the SDK clients.
    }

    internal void DisposePipeline() => InnerClient.Dispose();

    private ProviderCall Start(ChatOptions? options)
    {
        var correlationId = options?.AdditionalProperties?.TryGetValue(CorrelationIdProperty, out var value) == true && value is string { Length: > 0 } id
            ? id
            : Guid.NewGuid().ToString("N");
        var call = new ProviderCall(Context, options?.ModelId ?? ModelId, correlationId, hasKey);
        ProviderCall.Current = call;
        return call;
    }

    /// <summary>Counts the provider never reported stay unknown (null), not 0, so the caller estimates them and marks it.</summary>
    private UsageDetails? Normalize(UsageDetails? usage, SseTapStream? tap)
    {
        if (usage is null || tap is null || Context.Spec.Kind != Agent.Domain.Providers.ProviderKind.Anthropic)
        {
            return usage;
        }

        usage.InputTokenCount = tap.InputReported ? usage.InputTokenCount : null;
        usage.OutputTokenCount = tap.OutputReported ? usage.OutputTokenCount : null;
        usage.CachedInputTokenCount = tap.CacheReadReported ? usage.CachedInputTokenCount : null;
        usage.TotalTokenCount = usage.InputTokenCount is null && usage.OutputTokenCount is null ? null : (usage.InputTokenCount ?? 0) + (usage.OutputTokenCount ?? 0);
        return usage;
    }

    private ProviderException? MapFailure(Exception exception, ProviderCall call, CancellationToken callerToken, CancellationToken totalToken, bool stream)
    {
        if (callerToken.IsCancellationRequested)
        {
            return null;
        }

        var chain = Chain(exception).ToList();
        ProviderError? error = chain.OfType<ProviderException>().FirstOrDefault()?.Error ?? call.ErrorAnswer;
        if (error is null && totalToken.IsCancellationRequested)
        {
            error = ProviderErrors.TotalTimeout(Context);
        }

        error ??= chain.FirstOrDefault(e => e is ProviderStreamErrorException or StreamTruncatedException or ProviderContractException or JsonException or HttpRequestException or IOException) switch
        {
            ProviderStreamErrorException s => new ProviderError(Context.Name, null, s.Code, s.Message, s.Retryable, null,
                s.Retryable ? "retry the message in a moment" : "check the request (model, max tokens, tools)"),
            StreamTruncatedException t => ProviderErrors.StreamInterrupted(Context, t.Message),
            ProviderContractException c => ProviderErrors.MalformedStream(Context, contract, c.Message),
            JsonException j when stream => ProviderErrors.MalformedStream(Context, contract, $"invalid JSON: {j.Message}"),
            JsonException j => ProviderErrors.MalformedStream(Context, contract, j.Message) with { Code = "malformed_response" },
            HttpRequestException or IOException => ProviderErrors.StreamInterrupted(Context, $"the connection was lost ({chain.First(e => e is HttpRequestException or IOException).Message})"),
            _ => null,
        };
        if (error is null)
        {
            return null;
        }

        var original = chain.OfType<ProviderException>().FirstOrDefault();
        return original is not null && original.Error.CorrelationId == call.CorrelationId && ReferenceEquals(original, exception)
            ? original
            : new ProviderException(error with { CorrelationId = call.CorrelationId }, exception);
    }

    private static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    private void LogStart(IEnumerable<ChatMessage> messages, bool stream) =>
        logger.LogInformation("Provider call started: {Stream}, {MessageCount} messages", stream ? "streaming" : "non-streaming", messages.Count());

    private void LogFailure(ProviderError error, int chunks = 0) =>
        logger.LogWarning(
            "Provider call failed after {Chunks} updates: {Code} (HTTP {Status}) {Message}; retryable {Retryable}",
            chunks,
            error.Code,
            error.StatusCode,
            error.Message,
            error.Retryable);

    private IDisposable? BeginScope(ProviderCall call) =>
        logger.BeginScope(new Dictionary<string, object?>
        {
            ["CorrelationId"] = call.CorrelationId,
            ["Provider"] = Context.Name,
            ["ProviderMode"] = Context.Spec.Mode.ToString(),
            ["Model"] = call.Model,
        });
}
