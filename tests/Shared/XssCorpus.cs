namespace Agent.Tests.Shared;

/// <summary>
/// Hostile payloads for every place model or tool text reaches the page. Each one, if it ran, would add to window.__xss
/// (see <see cref="Run"/>) or open a dialog. Used by the E2E corpus test (real Chromium) and by the markdown renderer's
/// tests (the streaming and the finished path).
/// </summary>
public static class XssCorpus
{
    public const string Run = "window.__xss=(window.__xss||0)+1";

    public static readonly string[] Payloads =
    [
        $"<script>{Run}</script>",
        $"<img src=x onerror=\"{Run}\">",
        $"<svg onload=\"{Run}\"></svg>",
        $"<svg><script>{Run}</script></svg>",
        $"<iframe src=\"javascript:top.{Run}\"></iframe>",
        $"<iframe srcdoc=\"<script>parent.{Run}</script>\"></iframe>",
        $"[click me](javascript:{Run})",
        $"[click me](JaVaScRiPt:{Run})",
        $"[click me](  javascript:{Run})",
        $"[click me](java&#x09;script:{Run})",
        "[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[vb](vbscript:msgbox(1))",
        $"![image](x\" onerror=\"{Run})",
        $"![image](javascript:{Run})",
        $"<a href=\"javascript:{Run}\">raw link</a>",
        $"<details open ontoggle=\"{Run}\"><summary>x</summary></details>",
        $"<body onload=\"{Run}\">",
        $"<math><mtext><table><mglyph><style><img src=x onerror=\"{Run}\">",
        $"<object data=\"javascript:{Run}\"></object>",
        $"<embed src=\"javascript:{Run}\">",
        $"<form action=\"javascript:{Run}\"><button>go</button></form>",
        $"<input autofocus onfocus=\"{Run}\">",
        $"<video><source onerror=\"{Run}\"></video>",
        $"<marquee onstart=\"{Run}\">m</marquee>",
        "<base href=\"javascript:/\">",
        $"<style>@import 'javascript:{Run}';</style>",
        $"`<img src=x onerror=\"{Run}\">`",
        $"```html\n<script>{Run}</script>\n```",
        $"<<script>script>{Run}<</script>/script>",
        $"<img src=\"x\" onerror=\"{Run}\"/><!--",
        $"\"><script>{Run}</script>",
        $"'><img src=x onerror={Run}>",
        $"<http://a.example/<img src=x onerror={Run}>>",
        $"<div style=\"background:url(javascript:{Run})\">styled</div>",
        $"<meta http-equiv=\"refresh\" content=\"0;url=javascript:{Run}\">",
    ];
}
