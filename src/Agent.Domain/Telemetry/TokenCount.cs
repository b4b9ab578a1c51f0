namespace Agent.Domain.Telemetry;

/// <summary>
/// A token count for some text as a given model would see it. <see cref="IsEstimate"/> is true when no
/// tokenizer of that model's family is available and a nearby one was used instead.
/// </summary>
public sealed record TokenCount(int Tokens, bool IsEstimate, string Tokenizer);

/// <summary>Counts tokens the way a model's own tokenizer would, or says it is estimating.</summary>
public interface ITokenCounter
{
    TokenCount Count(string model, string text);
}
