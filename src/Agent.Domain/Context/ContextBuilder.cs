using Agent.Domain.Sessions;
using Agent.Domain.Telemetry;

namespace Agent.Domain.Context;

/// <summary>
/// Fills a model's token budget in a fixed order: system and profile, skills, pinned memory (these three are
/// never dropped), then recalled memory, episode and compaction summaries (each whole or left out), then the
/// recent turns newest first (the newest always). Pure: counts with the given tokenizer, no IO.
/// </summary>
public sealed class ContextBuilder(ITokenCounter counter)
{
    private static readonly ContextPartKind[] NeverDropped = [ContextPartKind.System, ContextPartKind.Skills, ContextPartKind.Pinned];

    /// <summary>The tokens kept free for the reply: the configured reserve, at most an eighth of the window.</summary>
    public static int ReplyReserve(int contextWindow, int configured) => Math.Max(0, Math.Min(configured, contextWindow / 8));

    public ContextPlan Build(ContextRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var model = request.Model;
        var budget = request.ContextWindow - ReplyReserve(request.ContextWindow, request.ReplyReserveTokens);
        var estimate = false;
        var tokenizer = "";

        int Count(string text)
        {
            var count = counter.Count(model, text);
            estimate |= count.IsEstimate;
            tokenizer = count.Tokenizer;
            return count.Tokens + ContextText.PerMessageOverhead;
        }

        var blocks = request.Blocks.Where(b => b.Text.Length > 0).OrderBy(b => b.Kind).ToList(); // stable: keeps the order within a kind
        var counted = blocks.Select(b => (Block: b, Tokens: Count(b.Text))).ToList();
        var instructionTokens = request.Instruction is { Length: > 0 } instruction ? Count(instruction) : 0;
        var turns = request.Turns;
        var newestTokens = turns.Count > 0 ? Count(ContextText.Of(turns[^1])) : 0;

        // What is never dropped comes first: the pinned facts, the system prompt, the message being answered.
        var used = counted.Where(c => NeverDropped.Contains(c.Block.Kind)).Sum(c => c.Tokens) + instructionTokens + newestTokens;
        var parts = new List<ContextPart>(counted.Count + 2);
        var leftOutTokens = 0;
        foreach (var (block, tokens) in counted)
        {
            var included = NeverDropped.Contains(block.Kind) || used + tokens <= budget;
            if (!NeverDropped.Contains(block.Kind))
            {
                if (included)
                {
                    used += tokens;
                }
                else
                {
                    leftOutTokens += tokens;
                }
            }

            parts.Add(new ContextPart(block.Kind, block.Label, tokens, estimate, included, block.Text, block.Source,
                Note: included ? null : "left out: it did not fit the budget"));
        }

        // The turns, newest first, while they fit; the first that does not fit ends the run so the turns stay contiguous.
        var firstIncluded = turns.Count == 0 ? 0 : turns.Count - 1;
        var turnTokens = newestTokens;
        for (var i = turns.Count - 2; i >= 0; i--)
        {
            var tokens = Count(ContextText.Of(turns[i]));
            if (used + tokens > budget)
            {
                break;
            }

            used += tokens;
            turnTokens += tokens;
            firstIncluded = i;
        }

        List<SessionMessage> sent = turns.Count == 0 ? [] : turns.Skip(firstIncluded).ToList();
        var allTurns = turns.Count + request.UnreadOlderTurns;
        var dropped = allTurns - sent.Count;
        if (turns.Count > 0)
        {
            parts.Add(new ContextPart(ContextPartKind.RecentTurns, $"Recent turns ({sent.Count} of {allTurns} messages)", turnTokens, estimate, true, null,
                "transcript", sent.Count, dropped > 0 ? $"{dropped} older messages left out: they did not fit the budget" : null));
        }

        if (instructionTokens > 0)
        {
            parts.Add(new ContextPart(ContextPartKind.Instruction, "Instruction", instructionTokens, estimate, true, request.Instruction, "chat"));
        }

        // Compact when the whole request (nothing left out) would pass the configured share of the window.
        var threshold = request.CompactAtShare * request.ContextWindow;
        var whole = (double)used + leftOutTokens;
        for (var i = firstIncluded - 1; i >= 0 && whole <= threshold; i--)
        {
            whole += Count(ContextText.Of(turns[i]));
        }

        var needsCompaction = allTurns > 1 && whole > threshold;
        return new ContextPlan(model, tokenizer, estimate, request.ContextWindow, budget, used, parts, sent, dropped, needsCompaction);
    }
}
