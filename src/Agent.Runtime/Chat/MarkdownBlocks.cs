using System.Text;

namespace Agent.Runtime.Chat;

/// <summary>
/// A reply's markdown cut where later text can no longer change what came before (a blank line outside a code fence,
/// followed by a line that starts a new block at the margin and is not a list item); each settled run of blocks is
/// rendered once and only the open tail again as text arrives. A streamed chunk thus costs work for the block it lands
/// in, not for the whole reply. Markdig parses whole documents only, so the cutting is ours.
/// The one thing a cut changes against one parse of the whole text: a link reference definition applies only within
/// its own run of blocks. Finished messages go through the same cuts (<see cref="MarkdownRenderer.ToHtml"/>).
/// </summary>
public sealed class MarkdownBlocks(MarkdownRenderer renderer)
{
    private readonly StringBuilder text = new();
    private readonly List<string> settled = [];
    private int settledEnd;
    private int scanned;
    private bool previousLineBlank;
    private char fenceChar;
    private int fenceLength;
    private string? tail = "";

    /// <summary>HTML of the runs of blocks that later text cannot change, oldest first; an entry never changes.</summary>
    public IReadOnlyList<string> Settled => settled;

    /// <summary>HTML of the text after the last settled run, as of the last <see cref="Refresh"/>.</summary>
    public string Tail => tail ?? "";

    public int Length => text.Length;

    public void Append(string chunk)
    {
        if (chunk.Length > 0)
        {
            text.Append(chunk);
            tail = null;
        }
    }

    /// <summary>Cuts the text back to <paramref name="length"/> characters (a stream replayed from an earlier offset).</summary>
    public void Truncate(int length)
    {
        if (length >= text.Length)
        {
            return;
        }

        text.Length = length;
        tail = null;
        if (scanned > length)
        {
            settled.Clear();
            settledEnd = 0;
            scanned = 0;
            previousLineBlank = false;
            fenceChar = '\0';
        }
    }

    /// <summary>Settles the blocks the new text closed and renders the tail again; cheap when nothing was appended.</summary>
    public void Refresh()
    {
        if (tail is not null)
        {
            return;
        }

        while (NextLineEnd(scanned) is var end and >= 0)
        {
            var line = text.ToString(scanned, end - scanned);
            if (fenceChar == '\0' && previousLineBlank && scanned > settledEnd && StartsTopLevelBlock(line))
            {
                settled.Add(renderer.RenderBlock(text.ToString(settledEnd, scanned - settledEnd)));
                settledEnd = scanned;
            }

            TrackFence(line);
            previousLineBlank = string.IsNullOrWhiteSpace(line);
            scanned = end + 1;
        }

        tail = settledEnd == text.Length ? "" : renderer.RenderBlock(text.ToString(settledEnd, text.Length - settledEnd));
    }

    private int NextLineEnd(int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private void TrackFence(string line)
    {
        var indent = line.Length - line.TrimStart(' ').Length;
        if (indent > 3)
        {
            return;
        }

        var rest = line.AsSpan(indent);
        var marker = rest.Length > 0 ? rest[0] : '\0';
        if (marker is not ('`' or '~'))
        {
            return;
        }

        var run = rest.Length - rest.TrimStart(marker).Length;
        if (run < 3)
        {
            return;
        }

        if (fenceChar == '\0')
        {
            fenceChar = marker;
            fenceLength = run;
        }
        else if (marker == fenceChar && run >= fenceLength && rest[run..].IsWhiteSpace())
        {
            fenceChar = '\0';
        }
    }

    /// <summary>A line at the margin that is not a list item, so it cannot continue the block before the blank line.</summary>
    private static bool StartsTopLevelBlock(string line)
    {
        if (line.Length == 0 || char.IsWhiteSpace(line[0]))
        {
            return false;
        }

        if (line[0] is '-' or '*' or '+')
        {
            return !(line.Length == 1 || line[1] is ' ' or '\t');
        }

        var digits = 0;
        while (digits < line.Length && digits < 10 && char.IsAsciiDigit(line[digits]))
        {
            digits++;
        }

        return !(digits is > 0 and < 10 && digits < line.Length && line[digits] is '.' or ')' && (digits + 1 == line.Length || line[digits + 1] is ' ' or '\t'));
    }
}
