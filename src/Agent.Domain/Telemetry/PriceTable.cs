namespace Agent.Domain.Telemetry;

/// <summary>One model's prices per million tokens; cached input falls back to the input price when not given.</summary>
public sealed record ModelPrice(decimal InputPerMillion, decimal OutputPerMillion, decimal? CachedInputPerMillion = null);

/// <summary>What one message cost, with the price table version it was priced from (so later price changes never rewrite it).</summary>
public sealed record MessageCost(decimal Amount, string PriceTableVersion);

/// <summary>
/// The configured prices under one version. Input tokens include the cached ones (the OpenAI and
/// Microsoft.Extensions.AI convention): the cached share is billed at the cached price, the rest at the input
/// price; reasoning tokens are part of the output tokens and billed at the output price.
/// </summary>
public sealed class PriceTable
{
    private readonly Dictionary<(string Provider, string Model), ModelPrice> prices;

    public PriceTable(string version, IEnumerable<KeyValuePair<(string Provider, string Model), ModelPrice>> prices)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        Version = version;
        this.prices = new Dictionary<(string, string), ModelPrice>(prices);
    }

    public string Version { get; }

    public ModelPrice? Find(string provider, string model) => prices.GetValueOrDefault((provider, model));

    /// <summary>The cost of <paramref name="usage"/>, or null when its model is not in the table (not priced, never a silent zero).</summary>
    public MessageCost? Price(TokenUsage? usage)
    {
        if (usage is null || Find(usage.Provider, usage.Model) is not { } price)
        {
            return null;
        }

        var cached = Math.Min(Math.Max(usage.CachedInputTokens, 0), Math.Max(usage.InputTokens, 0));
        var uncached = Math.Max(usage.InputTokens, 0) - cached;
        var amount = ((uncached * price.InputPerMillion)
            + (cached * (price.CachedInputPerMillion ?? price.InputPerMillion))
            + (Math.Max(usage.OutputTokens, 0) * price.OutputPerMillion)) / 1_000_000m;
        return new MessageCost(amount, Version);
    }
}
