using System.Text.Json;
using Agent.Domain.Memory;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Agent.Runtime.Runtime;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Memories;

/// <summary>The ingest_attachment intent: read an attached file once, keep its text as an artifact, write its summary.</summary>
public static class IngestAttachmentIntent
{
    public const string Name = "ingest_attachment";
    public const string AttachmentIdKey = "attachmentId";

    public static IntentMetadata Metadata { get; } = new(
        "Reads an attached file (text, markdown, code, JSON, CSV, PDF), stores its text as an artifact and writes an attachment summary that recall can find.",
        new IntentPolicy(TimeSpan.FromMinutes(10), 2, RecoveryPolicy.Retry, BackoffOptions.Default),
        IdKeys: [new(AttachmentIdKey, OwnedIdKind.Attachment)]);
}

/// <summary>
/// Extracts the text (PdfPig for PDF), stores it beside the file and registers it as an attachment.text artifact, then
/// summarizes it with the session's chat client into an attachment summary (recallable). When the summary fails the
/// item holds the start of the text and says the summary failed, so the file is still recalled. A file without
/// readable text marks the attachment failed with the reason.
/// </summary>
public sealed class IngestAttachmentHandler(IAttachmentStore attachments, ISessionStore sessions, IMemoryStore memory, ArtifactRegistry artifacts, MemorySummarizer summarizer, TimeProvider time) : IIntentHandler
{
    private const int FallbackChars = 1_500;

    public async Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!Guid.TryParse(context.ParameterValue(IngestAttachmentIntent.AttachmentIdKey), out var id))
        {
            throw new PermanentIntentFailureException($"metadata '{IngestAttachmentIntent.AttachmentIdKey}' must be an attachment id.");
        }

        var attachment = await attachments.FindAsync(context.TenantId, id, cancellationToken);
        if (attachment is null || (context.SessionId is { } sessionId && attachment.SessionId != sessionId))
        {
            throw new PermanentIntentFailureException($"There is no attachment {id}.");
        }

        var session = await sessions.FindAsync(context.TenantId, attachment.SessionId, cancellationToken)
            ?? throw new PermanentIntentFailureException($"The session of attachment {id} no longer exists.");

        ExtractedText extracted;
        try
        {
            await context.Progress.ReportAsync(0.1, $"Reading {attachment.FileName}", cancellationToken);
            extracted = AttachmentText.Extract(attachment.FileName, await File.ReadAllBytesAsync(attachment.StoragePath, cancellationToken));
        }
        catch (Exception ex) when (ex is AttachmentRejectedException or IOException or UnauthorizedAccessException)
        {
            await attachments.UpdateAsync(attachment with { Status = AttachmentStatus.Failed, Error = ex.Message, UpdatedAt = time.GetUtcNow() }, cancellationToken);
            throw new PermanentIntentFailureException(ex.Message);
        }

        var textPath = Path.ChangeExtension(attachment.StoragePath, ".txt") == attachment.StoragePath ? attachment.StoragePath + ".text" : Path.ChangeExtension(attachment.StoragePath, ".txt");
        await File.WriteAllTextAsync(textPath, extracted.Text, cancellationToken);
        var artifact = await artifacts.CreateAsync(context.TenantId, context.IntentType, context.ExecutionId, new ArtifactDraft(
            "attachment.text",
            $"Text of {attachment.FileName} ({extracted.Kind}{(extracted.Pages is { } p ? $", {p} page(s)" : "")}, {extracted.Text.Length:N0} characters)",
            [],
            [new Materialization("file", textPath, "text/plain; charset=utf-8", new FileInfo(textPath).Length)]), cancellationToken);

        await context.Progress.ReportAsync(0.5, $"Summarizing {attachment.FileName}", cancellationToken);
        var outcome = await summarizer.SummarizeAsync(session, SummaryRequest.AttachmentInstruction, $"{attachment.FileName}\n\n{extracted.Text}", cancellationToken);
        var content = outcome.Text
            ?? $"Summary failed ({outcome.Error}). Start of the text: {Start(extracted.Text)}";

        var now = time.GetUtcNow();
        var summary = attachment.SummaryId is { } existingId && await memory.FindAsync(context.TenantId, existingId, cancellationToken) is { } existing
            ? existing with { Content = content, UpdatedAt = now }
            : new MemoryItem(Guid.NewGuid(), context.TenantId, attachment.SessionId, MemoryTier.AttachmentSummary, attachment.FileName, content, now, now)
            {
                Source = MemorySource.Attachment,
                AttachmentId = attachment.Id,
                SourceMessageId = attachment.MessageId,
            };
        if (summary.CreatedAt == now)
        {
            await memory.AddAsync(summary, cancellationToken);
        }
        else
        {
            await memory.UpdateAsync(summary, cancellationToken);
        }

        await attachments.UpdateAsync(attachment with
        {
            Status = AttachmentStatus.Ready,
            Error = outcome.Error is null ? null : $"Read, but the summary failed: {outcome.Error}",
            ArtifactId = artifact.Id,
            SummaryId = summary.Id,
            UpdatedAt = now,
        }, cancellationToken);

        return new IntentResult([], [new DomainEvent("memory.attachment_ingested", JsonSerializer.Serialize(new
        {
            attachmentId = attachment.Id,
            artifactId = artifact.Id,
            summaryId = summary.Id,
            kind = extracted.Kind,
            pages = extracted.Pages,
            characters = extracted.Text.Length,
            summarized = outcome.Error is null,
            provider = outcome.Provider,
            mode = outcome.Mode,
            error = outcome.Error,
        }))]);
    }

    private static string Start(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= FallbackChars ? flat : flat[..FallbackChars] + "…";
    }
}
