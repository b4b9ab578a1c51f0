using System.Text.RegularExpressions;
using Agent.Runtime.Chat;
using Agent.Tests.Shared;

namespace Agent.Web.Tests;

/// <summary>
/// The streaming reply and the finished one go through the same block cuts: at every moment of a stream the page shows
/// exactly what the finished message would show for the text so far, settled blocks are never rendered twice, and the
/// cuts do not change what one parse of the whole text gives (reference links apart).
/// </summary>
public sealed class MarkdownBlocksTests
{
    private readonly MarkdownRenderer renderer = new();

    public static readonly TheoryData<string> Samples = new()
    {
        "Hello **there**.\n\nA second paragraph with `code`.\n\n# Heading\n\nText after.",
        "- one\n- two\n\n- three (a loose list stays one list)\n\nAfter the list.",
        "1. first\n\n2. second\n\n10) tenth\n\nDone.",
        "```python\nprint('a')\n\n\nprint('b')\n```\n\nAfter the fence.\n\n~~~\n```\nnot closed by backticks\n\n~~~\n\nEnd.",
        "Para\n\n    indented code\n\n    more code\n\nBack.",
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n> quoted\n>\n> still quoted\n\n> another quote",
        "- item\n\n  continued in the item\n\n  ```\n  fenced in the item\n\n  ```\n\nOut.",
        "Line one\r\n\r\nLine two\r\n\r\n- [ ] task\r\n- [x] done\r\n",
        "* * *\n\n---\n\nTitle\n=====\n\ntext ~~struck~~ and https://example.test/auto",
        "trailing paragraph without a newline",
        "",
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Cutting_into_blocks_gives_what_one_parse_of_the_whole_text_gives(string markdown)
    {
        Assert.Equal(renderer.RenderBlock(markdown), renderer.ToHtml(markdown));
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void At_every_chunk_the_stream_shows_what_the_finished_message_would(string markdown)
    {
        foreach (var size in new[] { 1, 2, 3, 7, 64 })
        {
            var blocks = new MarkdownBlocks(renderer);
            for (var at = 0; at < markdown.Length; at += size)
            {
                blocks.Append(markdown.Substring(at, Math.Min(size, markdown.Length - at)));
                blocks.Refresh();
                Assert.Equal(renderer.ToHtml(markdown[..blocks.Length]), Shown(blocks));
            }

            blocks.Refresh();
            Assert.Equal(renderer.ToHtml(markdown), Shown(blocks));
        }
    }

    [Fact]
    public void The_xss_corpus_renders_safely_and_the_same_streamed_and_finished()
    {
        var reply = string.Join("\n\n", XssCorpus.Payloads);
        var finished = renderer.ToHtml(reply);
        var blocks = new MarkdownBlocks(renderer);
        var random = new Random(22);
        for (var at = 0; at < reply.Length;)
        {
            var size = Math.Min(random.Next(1, 12), reply.Length - at);
            blocks.Append(reply.Substring(at, size));
            at += size;
            blocks.Refresh();
            AssertSafe(Shown(blocks));
        }

        Assert.Equal(finished, Shown(blocks));
        AssertSafe(finished);
        foreach (var payload in XssCorpus.Payloads)
        {
            AssertSafe(renderer.ToHtml(payload));
        }
    }

    [Fact]
    public void Settled_blocks_are_rendered_once_and_a_chunk_re_renders_only_the_open_block()
    {
        var blocks = new MarkdownBlocks(renderer);
        blocks.Append("First paragraph.\n\nSecond paragraph.\n\nThird\n");
        blocks.Refresh();
        Assert.Equal(2, blocks.Settled.Count);
        var first = blocks.Settled[0];

        for (var i = 0; i < 200; i++)
        {
            blocks.Append(" word");
            blocks.Refresh();
        }

        Assert.Same(first, blocks.Settled[0]);
        Assert.Equal(2, blocks.Settled.Count);
        Assert.StartsWith("<p>Third\nword word", blocks.Tail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stream_replayed_from_an_earlier_offset_renders_the_replayed_text()
    {
        var blocks = new MarkdownBlocks(renderer);
        blocks.Append("Alpha.\n\nBeta.\n\nGamma");
        blocks.Refresh();
        blocks.Truncate(8);
        blocks.Append("Delta.\n\nEpsilon");
        blocks.Refresh();

        Assert.Equal(renderer.ToHtml("Alpha.\n\nDelta.\n\nEpsilon"), Shown(blocks));
    }

    private static string Shown(MarkdownBlocks blocks) => string.Concat(blocks.Settled) + blocks.Tail;

    /// <summary>Model text is escaped, so every "&lt;" left in the HTML opens an element the renderer wrote itself.</summary>
    private static void AssertSafe(string html)
    {
        string[] allowed = ["p", "a", "img", "code", "pre", "div", "button", "span", "strong", "em", "del", "ul", "ol", "li", "input", "blockquote", "hr", "br", "table", "thead", "tbody", "tr", "th", "td", "h1", "h2", "h3", "h4", "h5", "h6"];
        foreach (Match tag in Regex.Matches(html, "<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>"))
        {
            Assert.Contains(tag.Groups[1].Value.ToLowerInvariant(), allowed);
            Assert.DoesNotMatch(@"\son[a-z]+\s*=", tag.Groups[2].Value);
            foreach (Match url in Regex.Matches(tag.Groups[2].Value, "(?:href|src)=\"([^\"]*)\""))
            {
                Assert.True(MarkdownRenderer.IsSafe(url.Groups[1].Value), $"unsafe URL in {tag.Value}");
            }
        }
    }
}
