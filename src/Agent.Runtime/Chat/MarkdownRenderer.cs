using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Agent.Runtime.Chat;

/// <summary>
/// Renders model output as HTML that cannot run anything: raw HTML is escaped, links keep only
/// http(s), mailto and in-page targets, and fenced code gets a copy button.
/// </summary>
public sealed class MarkdownRenderer
{
    private static readonly string[] SafeSchemes = ["http", "https", "mailto"];

    private readonly MarkdownPipeline pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UsePipeTables()
        .UseEmphasisExtras()
        .UseTaskLists()
        .UseAutoLinks()
        .Build();

    /// <summary>
    /// The whole reply as HTML, rendered block by block through <see cref="MarkdownBlocks"/> exactly as a streaming
    /// reply is, so a finished message cannot differ from the stream that produced it.
    /// </summary>
    public string ToHtml(string markdown)
    {
        var blocks = new MarkdownBlocks(this);
        blocks.Append(markdown ?? "");
        blocks.Refresh();
        return blocks.Tail.Length == 0 && blocks.Settled.Count == 1 ? blocks.Settled[0] : string.Concat(blocks.Settled) + blocks.Tail;
    }

    /// <summary>One block (or run of blocks) of markdown as HTML; <see cref="MarkdownBlocks"/> decides where blocks end.</summary>
    internal string RenderBlock(string markdown)
    {
        var document = Markdown.Parse(markdown, pipeline);
        foreach (var link in document.Descendants<LinkInline>())
        {
            if (!IsSafe(link.Url))
            {
                link.Url = "";
            }

            link.GetAttributes().AddPropertyIfNotExist("rel", "noopener noreferrer nofollow");
            if (!link.IsImage)
            {
                link.GetAttributes().AddPropertyIfNotExist("target", "_blank");
            }
        }

        foreach (var link in document.Descendants<AutolinkInline>())
        {
            if (!IsSafe(link.Url))
            {
                link.Url = "";
            }
        }

        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        pipeline.Setup(renderer);
        renderer.ObjectRenderers.ReplaceOrAdd<CodeBlockRenderer>(new CopyableCodeBlockRenderer());
        renderer.Render(document);
        writer.Flush();
        return writer.ToString();
    }

    /// <summary>The reply as it should be read aloud: markdown reduced to its words (code blocks kept as text, markup dropped).</summary>
    public string ToSpokenText(string markdown) => Markdown.ToPlainText(markdown ?? "", pipeline).Trim();

    internal static bool IsSafe(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return true;
        }

        var trimmed = url.Trim();
        if (trimmed.StartsWith('#'))
        {
            return true;
        }

        if (Uri.TryCreate(trimmed, UriKind.Absolute, out var absolute))
        {
            return SafeSchemes.Contains(absolute.Scheme, StringComparer.OrdinalIgnoreCase);
        }

        // A relative URL is safe unless it hides a scheme (for example "java\tscript:").
        return !trimmed.Contains(':', StringComparison.Ordinal);
    }

    private sealed class CopyableCodeBlockRenderer : CodeBlockRenderer
    {
        protected override void Write(HtmlRenderer renderer, CodeBlock obj)
        {
            // The scrolling wrapper is focusable so a keyboard can scroll long lines (axe: scrollable-region-focusable).
            renderer.Write("<div class=\"code-block\"><button type=\"button\" class=\"copy-code\" aria-label=\"Copy code\">Copy</button><div class=\"code-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Code\">");
            base.Write(renderer, obj);
            renderer.WriteLine("</div></div>");
        }
    }
}
