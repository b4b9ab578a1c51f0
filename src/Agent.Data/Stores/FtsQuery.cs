using System.Globalization;
using System.Text;

namespace Agent.Data.Stores;

/// <summary>Turns free text into an FTS5 MATCH expression: words only (no FTS syntax from the user), stopwords dropped.</summary>
public static class FtsQuery
{
    private const int MaxTerms = 16;

    // Words that say nothing about the subject of a question; without them an unrelated question matches nothing.
    private static readonly HashSet<string> Stopwords = new(StringComparer.Ordinal)
    {
        "a", "about", "above", "after", "again", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been",
        "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done", "down",
        "during", "each", "else", "ever", "few", "for", "from", "further", "get", "got", "had", "has", "have", "having", "he", "her",
        "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "just", "know", "let", "like", "me", "more",
        "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own",
        "please", "remember", "same", "she", "should", "so", "some", "such", "tell", "than", "that", "the", "their", "them", "then",
        "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "us", "very", "was", "we", "were",
        "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours",
    };

    // Words a question is framed with ("what time", "make", "use", "next") that say little about its subject, yet are rare
    // enough in a small memory to weigh like subject words. Left out of recall only: the memory panel's search keeps them.
    private static readonly HashSet<string> QuestionWords = new(StringComparer.Ordinal)
    {
        "also", "best", "didn", "doesn", "don", "good", "isn", "ll", "long", "make", "many", "much", "need", "new", "next", "re",
        "say", "said", "take", "thing", "things", "time", "use", "ve", "want", "way", "won",
    };

    /// <summary>The subject words of a question for recall: <see cref="Terms"/> without the words questions are framed with.</summary>
    public static IReadOnlyList<string> SubjectTerms(string? text) => Terms(text).Where(t => !QuestionWords.Contains(t)).ToList();

    /// <summary>The subject words of a question, lower case, without stopwords and repeats (at most 16).</summary>
    public static IReadOnlyList<string> Terms(string? text)
    {
        var terms = new List<string>();
        if (string.IsNullOrWhiteSpace(text))
        {
            return terms;
        }

        var word = new StringBuilder();
        void Take()
        {
            if (word.Length > 0)
            {
                var w = word.ToString().ToLower(CultureInfo.InvariantCulture);
                word.Clear();
                if ((w.Length > 1 || char.IsDigit(w[0])) && !Stopwords.Contains(w) && !terms.Contains(w) && terms.Count < MaxTerms)
                {
                    terms.Add(w);
                }
            }
        }

        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(c);
            }
            else
            {
                Take();
            }
        }

        Take();
        return terms;
    }

    /// <summary>Any of the subject words (recall ranks by BM25); null when the text has none.</summary>
    public static string? ForRecall(string? text) => Or(Terms(text));

    /// <summary>Any of the given words, each quoted (no FTS syntax passes through); null when there are none.</summary>
    public static string? Or(IReadOnlyList<string> terms) =>
        terms.Count == 0 ? null : string.Join(" OR ", terms.Select(t => $"\"{t}\""));

    /// <summary>Every word, the last one as a prefix (the search box of the panel); null when the text has none.</summary>
    public static string? ForSearch(string? text)
    {
        var terms = Terms(text);
        if (terms.Count == 0)
        {
            return null;
        }

        return string.Join(" AND ", terms.Select((t, i) => i == terms.Count - 1 ? $"\"{t}\"*" : $"\"{t}\""));
    }
}
