using System.Diagnostics;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Clients.Common;

/// <summary>The stream ended before its terminating event (for example [DONE] or message_stop).</summary>
internal sealed class StreamTruncatedException(string message) : Exception(message);

/// <summary>A response or stream event does not have the shape the provider contract pins.</summary>
internal sealed class ProviderContractException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The plumbing shared by the HTTP adapters: correlation ids and log scopes, the total timeout over the whole
/// call (streamed body included), error answers and stream failures turned into <see cref="ProviderException"/>.
/// Keys are set per request in a header and never logged.
/// </summary>
public abstract class HttpChatClient : IChatClient
{
    /// <summary>ChatOptions.AdditionalProperties key a caller may set to log a call under its own correlation id.</summary>
    public const string CorrelationIdProperty = "correlation_id";

    /// <summary>AdditionalProperties key on the first update of a stream (and on a whole response): how many HTTP attempts the request took.</summary>
    public const string AttemptsProperty = "agent.attempts";

    /// <summary>Header carrying the correlation id to the provider (and recorded by the emulator).</summary>
    public const string CorrelationHeader = "X-Correlation-Id";

    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json") { CharSet = "utf-8" };
    private readonly HttpClient http;
    private readonly string? apiKey;
    private readonly ChatClientMetadata metadata;

    protected HttpChatClient(HttpClient http, ProviderContext context, string modelId, string? apiKey, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        ArgumentNullException.ThrowIfNull(logger);
        this.http = http;
        this.apiKey = apiKey;
        Context = context;
        ModelId = modelId;
        Logger = logger;
        metadata = new ChatClientMetadata(context.Spec.Kind.ToString(), context.Spec.BaseUrl, modelId);
    }

    public ProviderContext Context { get; }

    public string ModelId { get; }

    protected ILogger Logger { get; }

    /// <summary>Contract id for error messages, for example openai.chat-completions.v1.</summary>
    protected abstract string Contract { get; }

    protected abstract string RelativePath { get; }

    protected abstract void AddAuthentication(HttpRequestHeaders headers, string apiKey);

    protected abstract string BuildRequestBody(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream);

    protected abstract ChatResponse ParseResponse(JsonElement root);

    protected abstract IAsyncEnumerable<ChatResponseUpdate> ParseStreamAsync(IAsyncEnumerable<SseEvent> events, string model, CancellationToken cancellationToken);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var correlationId = CorrelationIdOf(options);
        var model = options?.ModelId ?? ModelId;
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        total.CancelAfter(TimeSpan.FromMilliseconds(Context.Resilience.TotalTimeoutMs));
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (response, attempts) = await SendCheckedAsync(messages, options, model, stream: false, correlationId, total.Token).ConfigureAwait(false);
            using var responseScope = response;
            var body = await response.Content.ReadAsStringAsync(total.Token).ConfigureAwait(false);
            ChatResponse result;
            try
            {
                using var doc = JsonDocument.Parse(body);
                result = ParseResponse(doc.RootElement);
                (result.AdditionalProperties ??= [])[AttemptsProperty] = attempts;
            }
            catch (Exception ex) when (ex is JsonException or ProviderContractException or InvalidOperationException or KeyNotFoundException)
            {
                throw new ProviderException(
                    (ProviderErrors.MalformedStream(Context, Contract, ex.Message) with { Code = "malformed_response", CorrelationId = correlationId }), ex);
            }

            using (BeginScope(correlationId, model))
            {
                Logger.LogInformation(
                    "Provider call completed in {ElapsedMs} ms: input {InputTokens}, output {OutputTokens} tokens",
                    (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    result.Usage?.InputTokenCount,
                    result.Usage?.OutputTokenCount);
            }

            return result;
        }
        catch (Exception ex) when (MapFailure(ex, cancellationToken, correlationId) is { } mapped)
        {
            LogFailure(mapped.Error, correlationId, model);
            throw mapped;
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var correlationId = CorrelationIdOf(options);
        var model = options?.ModelId ?? ModelId;
        using var total = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        total.CancelAfter(TimeSpan.FromMilliseconds(Context.Resilience.TotalTimeoutMs));
        var started = Stopwatch.GetTimestamp();

        HttpResponseMessage response;
        Stream body;
        int attempts;
        try
        {
            (response, attempts) = await SendCheckedAsync(messages, options, model, stream: true, correlationId, total.Token).ConfigureAwait(false);
            body = await response.Content.ReadAsStreamAsync(total.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (MapFailure(ex, cancellationToken, correlationId) is { } mapped)
        {
            LogFailure(mapped.Error, correlationId, model);
            throw mapped;
        }

        // Disposing the response (on completion, failure, or when the consumer stops early) aborts the HTTP stream.
        using var responseScope = response;
        await using var bodyScope = body.ConfigureAwait(false);
        var updates = ParseStreamAsync(SseReader.ReadAsync(body, total.Token), model, total.Token).GetAsyncEnumerator(total.Token);
        await using var updatesScope = updates.ConfigureAwait(false);
        var chunks = 0;
        UsageDetails? usage = null;
        while (true)
        {
            try
            {
                if (!await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    break;
                }
            }
            catch (Exception ex) when (MapFailure(ex, cancellationToken, correlationId) is { } mapped)
            {
                LogFailure(mapped.Error, correlationId, model, chunks);
                throw mapped;
            }

            chunks++;
            var update = updates.Current;
            if (chunks == 1)
            {
                (update.AdditionalProperties ??= [])[AttemptsProperty] = attempts;
            }

            usage = update.Contents.OfType<UsageContent>().LastOrDefault()?.Details ?? usage;
            yield return update;
        }

        using (BeginScope(correlationId, model))
        {
            Logger.LogInformation(
                "Provider stream completed in {ElapsedMs} ms: {Chunks} updates, input {InputTokens}, output {OutputTokens}, cached {CachedTokens} tokens",
                (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                chunks,
                usage?.InputTokenCount,
                usage?.OutputTokenCount,
                usage?.CachedInputTokenCount);
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return metadata;
        }

        if (serviceType == typeof(ProviderContext))
        {
            return Context;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The HttpClient belongs to IHttpClientFactory; nothing to release here.
        GC.SuppressFinalize(this);
    }

    private async Task<(HttpResponseMessage Response, int Attempts)> SendCheckedAsync(IEnumerable<ChatMessage> messages, ChatOptions? options, string model, bool stream, string correlationId, CancellationToken cancellationToken)
    {
        using var scope = BeginScope(correlationId, model);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Context.BaseUrl, RelativePath));
        var json = BuildRequestBody(messages, options, model, stream);
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        request.Content.Headers.ContentType = JsonMediaType;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(stream ? "text/event-stream" : "application/json"));
        request.Headers.TryAddWithoutValidation(CorrelationHeader, correlationId);
        request.Options.Set(ProviderPipelines.ProviderOption, Context.Name);
        if (!string.IsNullOrEmpty(apiKey))
        {
            AddAuthentication(request.Headers, apiKey);
        }

        Logger.LogInformation("Provider call started: {Stream}, {MessageCount} messages, {RequestBytes} bytes", stream ? "streaming" : "non-streaming", messages.Count(), json.Length);
        var started = Stopwatch.GetTimestamp();
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        var attempts = request.Options.TryGetValue(ProviderPipelines.AttemptsOption, out var a) ? a : 1;
        Logger.LogInformation(
            "Provider answered HTTP {Status} after {FirstByteMs} ms and {Attempts} attempt(s)",
            (int)response.StatusCode,
            (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            attempts);
        if (response.IsSuccessStatusCode)
        {
            return (response, attempts);
        }

        using (response)
        {
            var retryAfter = BackoffSchedule.RetryAfter(response.Headers, DateTimeOffset.UtcNow);
            string? body;
            try
            {
                body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                body = null;
            }

            throw new ProviderException(ProviderErrors.FromResponse(Context, response.StatusCode, body, retryAfter, model) with { CorrelationId = correlationId });
        }
    }

    private ProviderException? MapFailure(Exception exception, CancellationToken callerToken, string correlationId)
    {
        ProviderError? error = exception switch
        {
            ProviderException p => p.Error,
            OperationCanceledException when callerToken.IsCancellationRequested => null,
            OperationCanceledException => ProviderErrors.TotalTimeout(Context),
            SseFormatException s => ProviderErrors.MalformedStream(Context, Contract, s.Message),
            ProviderContractException c => ProviderErrors.MalformedStream(Context, Contract, c.Message),
            JsonException j => ProviderErrors.MalformedStream(Context, Contract, $"invalid JSON: {j.Message}"),
            StreamTruncatedException t => ProviderErrors.StreamInterrupted(Context, t.Message),
            HttpRequestException or IOException => ProviderErrors.StreamInterrupted(Context, $"the connection was lost ({exception.Message})"),
            _ => null,
        };
        if (error is null)
        {
            return null;
        }

        return exception is ProviderException original && original.Error.CorrelationId == correlationId
            ? original
            : new ProviderException(error with { CorrelationId = correlationId }, exception is ProviderException pe ? pe.InnerException : exception);
    }

    private void LogFailure(ProviderError error, string correlationId, string model, int chunks = 0)
    {
        using (BeginScope(correlationId, model))
        {
            Logger.LogWarning(
                "Provider call failed after {Chunks} updates: {Code} (HTTP {Status}) {Message}; retryable {Retryable}",
                chunks,
                error.Code,
                error.StatusCode,
                error.Message,
                error.Retryable);
        }
    }

    private IDisposable? BeginScope(string correlationId, string model) =>
        Logger.BeginScope(new Dictionary<string, object?>
        {
            ["CorrelationId"] = correlationId,
            ["Provider"] = Context.Name,
            ["ProviderMode"] = Context.Spec.Mode.ToString(),
            ["Model"] = model,
        });

    private static string CorrelationIdOf(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(CorrelationIdProperty, out var value) == true && value is string { Length: > 0 } id
            ? id
            : Guid.NewGuid().ToString("N");
}
