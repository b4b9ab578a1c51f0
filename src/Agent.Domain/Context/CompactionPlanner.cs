using Agent.Domain.Sessions;
using Agent.Domain.Telemetry;

namespace Agent.Domain.Context;

/// <summary>Which turns a compaction summarizes and which it keeps word for word.</summary>
public sealed record CompactionSplit(IReadOnlyList<SessionMessage> ToSummarize, IReadOnlyList<SessionMessage> Kept);

/// <summary>
/// Plans a compaction: the newest turns that fit the keep budget stay (at least the newest message, and the
/// kept part starts at a person's message so no reply is cut from its question); the older ones are
/// summarized. Then splits what is summarized into chunks so that every summarizer request fits the window.
/// </summary>
public static class CompactionPlanner
{
    public static CompactionSplit Split(IReadOnlyList<SessionMessage> turns, Func<SessionMessage, int> tokensOf, int keepTokens)
    {
        ArgumentNullException.ThrowIfNull(turns);
        ArgumentNullException.ThrowIfNull(tokensOf);
        if (turns.Count < 2)
        {
            return new CompactionSplit([], turns);
        }

        var first = turns.Count - 1;
        var kept = tokensOf(turns[^1]);
        for (var i = turns.Count - 2; i >= 1; i--)
        {
            var tokens = tokensOf(turns[i]);
            if (kept + tokens > keepTokens)
            {
                break;
            }

            kept += tokens;
            first = i;
        }

        // Start the kept part at a person's message; the newest message always stays.
        while (first < turns.Count - 1 && turns[first].Role != MessageRole.User)
        {
            first++;
        }

        return new CompactionSplit(turns.Take(first).ToList(), turns.Skip(first).ToList());
    }

    /// <summary>
    /// Packs transcript lines into chunks of at most <paramref name="room"/> tokens each, in order; a line longer
    /// than the room is cut into pieces that fit. Every chunk is non-empty.
    /// </summary>
    public static IReadOnlyList<string> Chunk(IReadOnlyList<string> lines, ITokenCounter counter, string model, int room)
    {
        ArgumentNullException.ThrowIfNull(lines);
        ArgumentNullException.ThrowIfNull(counter);
        if (room < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(room), room, "The summarizer has no room left in the window for any text.");
        }

        var chunks = new List<string>();
        var current = new List<string>();
        var currentTokens = 0;
        foreach (var line in lines)
        {
            foreach (var piece in Pieces(line, counter, model, room))
            {
                var tokens = counter.Count(model, piece).Tokens + 1; // the line break joining it
                if (currentTokens + tokens > room && current.Count > 0)
                {
                    chunks.Add(string.Join('\n', current));
                    current.Clear();
                    currentTokens = 0;
                }

                current.Add(piece);
                currentTokens += tokens;
            }
        }

        if (current.Count > 0)
        {
            chunks.Add(string.Join('\n', current));
        }

        return chunks;
    }

    /// <summary>Cuts <paramref name="text"/> to at most <paramref name="maxTokens"/> tokens (from the start), for a summary carried into the next request.</summary>
    public static string Truncate(string text, ITokenCounter counter, string model, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(counter);
        return Pieces(text, counter, model, maxTokens).FirstOrDefault() ?? "";
    }

    private static IEnumerable<string> Pieces(string text, ITokenCounter counter, string model, int room)
    {
        var rest = text;
        while (rest.Length > 0)
        {
            var tokens = counter.Count(model, rest).Tokens + 1;
            if (tokens <= room)
            {
                yield return rest;
                yield break;
            }

            // Guess the cut from the ratio, then shrink until it fits: tokenizers are not linear in characters.
            var length = Math.Max(1, (int)((long)rest.Length * room / tokens));
            while (length > 1 && counter.Count(model, rest[..length]).Tokens + 1 > room)
            {
                length = Math.Max(1, length * 9 / 10);
            }

            if (char.IsHighSurrogate(rest[length - 1]) && length < rest.Length)
            {
                length = length > 1 ? length - 1 : length + 1;
            }

            yield return rest[..length];
            rest = rest[length..];
        }
    }
}
