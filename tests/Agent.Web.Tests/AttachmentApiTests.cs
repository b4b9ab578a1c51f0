using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Agent.Runtime.Chat;
using Agent.Runtime.Runtime;
using Agent.Web.Tests.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>Attachments on the real host and SQLite file: a real PDF read once, summarized, recalled; the limits' errors.</summary>
public sealed class AttachmentApiTests
{
    private static readonly string LeasePdf = Path.Combine(AppContext.BaseDirectory, "Fixtures", "lease.pdf");

    [Fact]
    public async Task A_real_pdf_is_ingested_into_an_artifact_and_a_summary_that_reaches_the_model_and_is_recalled_elsewhere()
    {
        await using var app = new AgentAppFactory();
        using var client = app.CreateClient();
        var session = await NewSessionAsync(client);

        using var uploaded = await UploadAsync(client, session, "lease.pdf", await File.ReadAllBytesAsync(LeasePdf));
        Assert.Equal(HttpStatusCode.Accepted, uploaded.StatusCode);
        var body = await uploaded.Content.ReadFromJsonAsync<JsonElement>();
        var attachmentId = body.GetProperty("attachment").GetProperty("id").GetGuid();
        Assert.Equal("pending", body.GetProperty("attachment").GetProperty("status").GetString());
        var run = await client.WaitForAsync(body.GetProperty("executionId").GetGuid(), r => r.Is("completed") || r.Is("failed"), "ended");
        Assert.True(run.Is("completed"), run.Shown);

        var attachment = await client.GetFromJsonAsync<JsonElement>($"/api/attachments/{attachmentId}");
        Assert.Equal("ready", attachment.GetProperty("status").GetString());
        Assert.Equal("application/pdf", attachment.GetProperty("contentType").GetString());

        // The text of both pages is an artifact of the execution, materialized as a file.
        var artifact = await app.Services.GetRequiredService<ArtifactRegistry>().ResolveAsync("local", attachment.GetProperty("artifactId").GetGuid(), CancellationToken.None);
        Assert.NotNull(artifact);
        Assert.Equal(("attachment.text", run.Id), (artifact.Type, artifact.ProducedByExecutionId));
        Assert.Contains("2 page(s)", artifact.SemanticDescriptor, StringComparison.Ordinal);
        var text = await File.ReadAllTextAsync(Assert.Single(artifact.Materializations).Location);
        Assert.Contains("Monthly rent: 1,450 euros", text, StringComparison.Ordinal);
        Assert.Contains("One cat is allowed; no dogs.", text, StringComparison.Ordinal);

        var summaries = await client.GetFromJsonAsync<JsonElement>("/api/memory?tier=attachment");
        var summary = Assert.Single(summaries.GetProperty("items").EnumerateArray());
        Assert.Equal(("lease.pdf", "attachment", attachmentId), (summary.GetProperty("title").GetString(), summary.GetProperty("source").GetString(), summary.GetProperty("attachmentId").GetGuid()));
        Assert.StartsWith("[deterministic] Extractive summary", summary.GetProperty("content").GetString(), StringComparison.Ordinal);

        // Sent with a message: the summary reaches the model with that message.
        using var sent = await client.PostAsJsonAsync($"/api/sessions/{session}/messages", new { text = "What does this say?", attachmentIds = new[] { attachmentId } });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(session);
        var messages = await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{session}/messages?skip=0&take=10");
        Assert.Contains("Memory in context: [attachment] [deterministic] Extractive summary", messages![^1].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal(messages[0].GetProperty("id").GetGuid(), (await client.GetFromJsonAsync<JsonElement>($"/api/attachments/{attachmentId}")).GetProperty("messageId").GetGuid());

        // In another session, a question about the lease recalls it.
        var other = await NewSessionAsync(client);
        using var asked = await client.PostAsJsonAsync($"/api/sessions/{other}/messages", new { text = "How much is the security deposit for the Harbour Lane flat?" });
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(other);
        var reply = (await client.GetFromJsonAsync<JsonElement[]>($"/api/sessions/{other}/messages?skip=0&take=10"))![^1].GetProperty("text").GetString();
        Assert.True(reply!.Contains("Security deposit: 2,900 euros", StringComparison.Ordinal), reply);

        using var original = await client.GetAsync(new Uri($"/api/attachments/{attachmentId}/content", UriKind.Relative));
        Assert.Equal(await File.ReadAllBytesAsync(LeasePdf), await original.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Type_size_and_content_limits_answer_with_clear_errors()
    {
        await using var app = new AgentAppFactory().WithSetting("Agent:Memory:AttachmentMaxBytes", "2000");
        using var client = app.CreateClient();
        var session = await NewSessionAsync(client);

        await AssertErrorAsync(await UploadAsync(client, session, "photo.png", [1, 2, 3]), HttpStatusCode.BadRequest, "photo.png is not a supported type (.png). Attach text, markdown, code, JSON, CSV or PDF files.");
        await AssertErrorAsync(await UploadAsync(client, session, "big.txt", Encoding.UTF8.GetBytes(new string('a', 2001))), HttpStatusCode.BadRequest, "an attachment may be at most");
        await AssertErrorAsync(await UploadAsync(client, session, "empty.md", []), HttpStatusCode.BadRequest, "empty.md is empty.");
        await AssertErrorAsync(await UploadAsync(client, Guid.NewGuid(), "notes.txt", [65]), HttpStatusCode.NotFound, "does not exist");
        using var noFile = await client.PostAsJsonAsync($"/api/sessions/{session}/attachments", new { file = "x" });
        await AssertErrorAsync(noFile, HttpStatusCode.UnsupportedMediaType, "multipart/form-data");

        // Accepted by name and size, but not UTF-8 text: the ingest fails and the attachment says why.
        using var latin1 = await UploadAsync(client, session, "notes.txt", [0x66, 0xE9, 0xFF, 0x20, 0x61]);
        var body = await latin1.Content.ReadFromJsonAsync<JsonElement>();
        var run = await client.WaitForAsync(body.GetProperty("executionId").GetGuid(), r => r.Is("completed") || r.Is("failed"), "ended");
        Assert.True(run.Is("failed"), run.Shown);
        var failed = await client.GetFromJsonAsync<JsonElement>($"/api/attachments/{body.GetProperty("attachment").GetProperty("id").GetGuid()}");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("notes.txt is not UTF-8 text; save it as UTF-8 and attach it again.", failed.GetProperty("error").GetString());

        // A message cannot carry an attachment of another session.
        using var wrong = await client.PostAsJsonAsync($"/api/sessions/{await NewSessionAsync(client)}/messages", new { text = "hi", attachmentIds = new[] { failed.GetProperty("id").GetGuid() } });
        await AssertErrorAsync(wrong, HttpStatusCode.BadRequest, "was not uploaded to this session");
    }

    private static async Task<HttpResponseMessage> UploadAsync(HttpClient client, Guid session, string name, byte[] bytes)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", name);
        return await client.PostAsync(new Uri($"/api/sessions/{session}/attachments", UriKind.Relative), form);
    }

    private static async Task<Guid> NewSessionAsync(HttpClient client)
    {
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "Attachments" });
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string contains)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Contains(contains, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
        }
    }
}
