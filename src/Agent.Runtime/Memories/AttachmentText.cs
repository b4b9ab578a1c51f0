using System.Text;
using System.Text.Json;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Exceptions;

namespace Agent.Runtime.Memories;

/// <summary>A file the attachment rules refuse (type, size, content); the message names the file and the fix.</summary>
public sealed class AttachmentRejectedException(string message) : ArgumentException(message);

/// <summary>The text of an attachment and what it was read from.</summary>
public sealed record ExtractedText(string Text, string Kind, int? Pages);

/// <summary>Which files can be attached, and their text: UTF-8 text, markdown, code, JSON, CSV, and PDF (PdfPig).</summary>
public static class AttachmentText
{
    private static readonly Dictionary<string, string> Kinds = new(StringComparer.OrdinalIgnoreCase)
    {
        [".txt"] = "text",
        [".log"] = "text",
        [".md"] = "markdown",
        [".markdown"] = "markdown",
        [".json"] = "json",
        [".csv"] = "csv",
        [".pdf"] = "pdf",
        [".cs"] = "code",
        [".razor"] = "code",
        [".py"] = "code",
        [".js"] = "code",
        [".ts"] = "code",
        [".tsx"] = "code",
        [".jsx"] = "code",
        [".java"] = "code",
        [".kt"] = "code",
        [".go"] = "code",
        [".rs"] = "code",
        [".rb"] = "code",
        [".php"] = "code",
        [".swift"] = "code",
        [".c"] = "code",
        [".h"] = "code",
        [".cpp"] = "code",
        [".hpp"] = "code",
        [".sh"] = "code",
        [".ps1"] = "code",
        [".sql"] = "code",
        [".html"] = "code",
        [".css"] = "code",
        [".xml"] = "code",
        [".yaml"] = "code",
        [".yml"] = "code",
        [".toml"] = "code",
        [".ini"] = "code",
    };

    /// <summary>For the file picker's accept attribute.</summary>
    public static string Accept { get; } = string.Join(',', Kinds.Keys);

    public static string Supported => "text, markdown, code, JSON, CSV or PDF";

    /// <summary>The kind of a file by its extension; throws when it is not one the app reads.</summary>
    public static string KindOf(string fileName)
    {
        var extension = Path.GetExtension(fileName);
        return Kinds.TryGetValue(extension, out var kind)
            ? kind
            : throw new AttachmentRejectedException($"{fileName} is not a supported type{(extension.Length > 0 ? $" ({extension})" : "")}. Attach {Supported} files.");
    }

    public static string MediaTypeOf(string kind) => kind switch
    {
        "pdf" => "application/pdf",
        "json" => "application/json",
        "csv" => "text/csv",
        "markdown" => "text/markdown",
        _ => "text/plain",
    };

    /// <summary>Checks name and size before anything is stored.</summary>
    public static string Validate(string fileName, long size, long maxBytes)
    {
        if (string.IsNullOrWhiteSpace(fileName))
        {
            throw new AttachmentRejectedException("The file has no name.");
        }

        var kind = KindOf(fileName);
        if (size <= 0)
        {
            throw new AttachmentRejectedException($"{fileName} is empty.");
        }

        if (size > maxBytes)
        {
            throw new AttachmentRejectedException($"{fileName} is {Megabytes(size)}; an attachment may be at most {Megabytes(maxBytes)} (Agent:Memory:AttachmentMaxBytes).");
        }

        return kind;
    }

    /// <summary>The text of a stored file; throws <see cref="AttachmentRejectedException"/> when it has none that can be read.</summary>
    public static ExtractedText Extract(string fileName, byte[] bytes)
    {
        var kind = KindOf(fileName);
        if (kind == "pdf")
        {
            return ExtractPdf(fileName, bytes);
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes).TrimStart('\uFEFF');
        }
        catch (DecoderFallbackException)
        {
            throw new AttachmentRejectedException($"{fileName} is not UTF-8 text; save it as UTF-8 and attach it again.");
        }

        if (kind == "json")
        {
            try
            {
                using var _ = JsonDocument.Parse(text);
            }
            catch (JsonException ex)
            {
                throw new AttachmentRejectedException($"{fileName} is not valid JSON: {ex.Message}");
            }
        }

        return string.IsNullOrWhiteSpace(text)
            ? throw new AttachmentRejectedException($"{fileName} has no text.")
            : new ExtractedText(text, kind, null);
    }

    private static ExtractedText ExtractPdf(string fileName, byte[] bytes)
    {
        try
        {
            using var document = PdfDocument.Open(bytes);
            var text = new StringBuilder();
            foreach (var page in document.GetPages())
            {
                text.Append("[page ").Append(page.Number).AppendLine("]");
                text.AppendLine(string.Join(' ', page.GetWords().Select(w => w.Text)));
            }

            var pages = document.NumberOfPages;
            var content = text.ToString();
            if (content.Replace("[page", "", StringComparison.Ordinal).All(c => !char.IsLetterOrDigit(c) || char.IsDigit(c)))
            {
                throw new AttachmentRejectedException($"{fileName} has no text to read ({pages} page(s)); a scanned PDF needs text recognition first.");
            }

            return new ExtractedText(content, "pdf", pages);
        }
        catch (PdfDocumentEncryptedException)
        {
            throw new AttachmentRejectedException($"{fileName} is encrypted; remove the password and attach it again.");
        }
        catch (Exception ex) when (ex is UglyToad.PdfPig.Core.PdfDocumentFormatException or InvalidOperationException or (ArgumentException and not AttachmentRejectedException))
        {
            throw new AttachmentRejectedException($"{fileName} could not be read as a PDF: {ex.Message}");
        }
    }

    private static string Megabytes(long bytes) => $"{bytes / 1024.0 / 1024.0:0.#} MB";
}
