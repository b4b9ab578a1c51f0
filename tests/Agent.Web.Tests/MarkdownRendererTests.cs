using Agent.Runtime.Chat;

namespace Agent.Web.Tests;

public sealed class MarkdownRendererTests
{
    private readonly MarkdownRenderer renderer = new();

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("<img src=x onerror=alert(1)>")]
    [InlineData("<iframe src=\"https://example.test\"></iframe>")]
    public void Raw_html_is_escaped_not_emitted(string hostile)
    {
        var html = renderer.ToHtml($"before {hostile} after");

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[click](javascript:alert(1))")]
    [InlineData("[click](JAVASCRIPT:alert(1))")]
    [InlineData("[click](data:text/html;base64,PHNjcmlwdD4=)")]
    [InlineData("[click](vbscript:msgbox)")]
    [InlineData("![img](javascript:alert(1))")]
    public void Unsafe_link_targets_are_removed(string markdown)
    {
        var html = renderer.ToHtml(markdown);

        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("vbscript:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Safe_links_keep_their_target_and_open_safely()
    {
        var html = renderer.ToHtml("[docs](https://example.test/a?b=1) and <https://example.test/auto>");

        Assert.Contains("href=\"https://example.test/a?b=1\"", html, StringComparison.Ordinal);
        Assert.Contains("rel=\"noopener noreferrer nofollow\"", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.test/auto\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Fenced_code_gets_a_copy_button_and_escaped_content()
    {
        var html = renderer.ToHtml("```html\n<b>x</b>\n```");

        Assert.Contains("<div class=\"code-block\"><button type=\"button\" class=\"copy-code\"", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;x&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("language-html", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Emphasis_and_tables_render()
    {
        var html = renderer.ToHtml("**bold**\n\n| a | b |\n|---|---|\n| 1 | 2 |");

        Assert.Contains("<strong>bold</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<table>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Spoken_text_has_the_words_without_the_markup()
    {
        var spoken = new MarkdownRenderer().ToSpokenText("Here is **bold** and a [link](https://example.org).\n\n```csharp\nvar x = 1;\n```");

        Assert.Contains("Here is bold and a link.", spoken, StringComparison.Ordinal);
        Assert.Contains("var x = 1;", spoken, StringComparison.Ordinal);
        Assert.DoesNotContain("**", spoken, StringComparison.Ordinal);
        Assert.DoesNotContain("```", spoken, StringComparison.Ordinal);
    }
}
