namespace Agent.Domain.Context;

/// <summary>
/// What one execution's request carried ("what the model saw"): the model, its window and the parts in the
/// order they were sent, with token counts (an estimate where the model's own tokenizer is not available).
/// </summary>
public sealed record TurnContext(
    Guid ExecutionId,
    string TenantId,
    Guid SessionId,
    Guid MessageId,
    string ProviderName,
    string ModelId,
    string Tokenizer,
    bool IsEstimate,
    int ContextWindow,
    int Budget,
    int TotalTokens,
    IReadOnlyList<ContextPart> Parts,
    DateTimeOffset CreatedAt);
