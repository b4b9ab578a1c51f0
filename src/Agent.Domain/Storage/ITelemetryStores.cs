using Agent.Domain.Telemetry;

namespace Agent.Domain.Storage;

public interface ITraceStore
{
    Task AddAsync(TraceEvent traceEvent, CancellationToken cancellationToken);

    /// <summary>Several events in one write (a turn's stages).</summary>
    Task AddRangeAsync(IReadOnlyCollection<TraceEvent> traceEvents, CancellationToken cancellationToken);

    Task<IReadOnlyList<TraceEvent>> ListAsync(string tenantId, Guid? executionId, int take, CancellationToken cancellationToken);
}

public interface ITokenUsageStore
{
    /// <summary>Totals over every message of the tenant that carries usage.</summary>
    Task<TokenTotals> TotalsAsync(string tenantId, CancellationToken cancellationToken);

    Task<IReadOnlyDictionary<string, TokenTotals>> TotalsByModelAsync(string tenantId, CancellationToken cancellationToken);
}

/// <summary>Token and cost aggregates computed by the database (GROUP BY), never by loading messages.</summary>
public interface ITokenReportStore
{
    Task<TokenReport> AggregateAsync(TokenQuery query, CancellationToken cancellationToken);
}

/// <summary>What the person toggled in the UI (a tool, a skill, an MCP server), stored over the file defaults.</summary>
public interface IConfigOverrideStore
{
    Task<IReadOnlyDictionary<string, bool>> EnabledOverridesAsync(string tenantId, string scope, CancellationToken cancellationToken);

    Task SetEnabledAsync(string tenantId, string scope, string name, bool enabled, CancellationToken cancellationToken);
}
