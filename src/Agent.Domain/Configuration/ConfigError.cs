namespace Agent.Domain.Configuration;

/// <summary>One invalid setting: the full configuration key, what is wrong and how to fix it.</summary>
public sealed record ConfigError(string Key, string Problem, string Fix)
{
    public override string ToString() => $"{Key}: {Problem} Fix: {Fix}";
}
