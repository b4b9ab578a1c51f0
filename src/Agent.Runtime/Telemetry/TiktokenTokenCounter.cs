using System.Collections.Concurrent;
using Agent.Domain.Telemetry;
using Microsoft.ML.Tokenizers;

namespace Agent.Runtime.Telemetry;

/// <summary>
/// Counts with the tiktoken encoding of OpenAI models (exact for them); every other model (Anthropic,
/// local, deterministic) is counted with o200k_base and marked as an estimate, since their tokenizers
/// are not published for .NET.
/// </summary>
public sealed class TiktokenTokenCounter : ITokenCounter
{
    private const string FallbackEncoding = "o200k_base";
    private readonly ConcurrentDictionary<string, (Tokenizer Tokenizer, string Name, bool Exact)> byModel = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lazy<Tokenizer> fallback = new(() => TiktokenTokenizer.CreateForEncoding(FallbackEncoding));

    public TokenCount Count(string model, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var (tokenizer, name, exact) = byModel.GetOrAdd(model ?? string.Empty, Resolve);
        return new TokenCount(text.Length == 0 ? 0 : tokenizer.CountTokens(text), !exact, name);
    }

    private (Tokenizer, string, bool) Resolve(string model)
    {
        if (model.Length > 0)
        {
            try
            {
                var exact = TiktokenTokenizer.CreateForModel(model);
                return (exact, model, true);
            }
            catch (NotSupportedException)
            {
                // Not an OpenAI model name the library knows: fall through to the marked estimate.
            }
        }

        return (fallback.Value, FallbackEncoding, false);
    }
}
