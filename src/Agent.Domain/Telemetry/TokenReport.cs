namespace Agent.Domain.Telemetry;

public enum TokenGrouping
{
    Model,
    Provider,
    Session,
    Day,
}

/// <summary>
/// Assistant messages of a tenant created in [<see cref="From"/>, <see cref="To"/>), grouped by <see cref="GroupBy"/>;
/// only those of <see cref="SessionId"/> when it is set (a session's budget).
/// </summary>
public sealed record TokenQuery(string TenantId, DateTimeOffset From, DateTimeOffset To, TokenGrouping GroupBy, Guid? SessionId = null);

/// <summary>
/// Sums over the messages that carry provider-reported usage. <see cref="Cost"/> sums the cost stored on each
/// message when it ended; <see cref="UnpricedMessages"/> counts those without one (model not in the price table,
/// or stored before costs were recorded), so a partial cost is never taken for a whole one;
/// <see cref="EstimatedMessages"/> counts those whose usage we estimated because the provider reported none.
/// </summary>
public sealed record TokenAggregate(
    string Key,
    long InputTokens,
    long OutputTokens,
    long CachedInputTokens,
    long ReasoningTokens,
    decimal Cost,
    int Messages,
    int UnpricedMessages,
    int EstimatedMessages = 0)
{
    public long TotalTokens => InputTokens + OutputTokens;
}

public sealed record TokenReport(IReadOnlyList<TokenAggregate> Groups, TokenAggregate Total);
