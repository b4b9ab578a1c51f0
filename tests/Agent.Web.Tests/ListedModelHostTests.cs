using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.ProviderEmulator;
using Agent.Runtime.Chat;
using Agent.Runtime.Chat.Context;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>
/// A model the OpenAI-compatible server lists at /v1/models but the configuration does not, used on the real host
/// against the provider emulator over HTTP; a model neither lists is still refused.
/// </summary>
public sealed class ListedModelHostTests
{
    [Fact]
    public async Task A_session_on_a_listed_model_streams_its_reply_with_that_model_and_no_made_up_price()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 0 });
        await using var app = UsageHostTests.Emulated(new AgentAppFactory(), emulator, "OpenAICompatible")
            .WithSetting("Agent:Providers:3:Models:0:ContextWindow", "16384");
        var client = app.CreateClient();

        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "Listed", provider = "emulator", model = "emulator-listed-model" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var session = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("emulator-listed-model", session.GetProperty("modelId").GetString());
        var sessionId = session.GetProperty("id").GetGuid();

        using var sent = await client.PostAsJsonAsync($"/api/sessions/{sessionId}/messages", new { text = "Hello from a listed model" });
        Assert.Equal(HttpStatusCode.Accepted, sent.StatusCode);
        var replyId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("assistantMessageId").GetGuid();
        await app.Services.GetRequiredService<ChatCoordinator>().WhenIdleAsync(sessionId);
        var reply = await app.Services.GetRequiredService<IMessageStore>().FindAsync("local", replyId, CancellationToken.None);

        Assert.Equal(MessageStatus.Complete, reply!.Status);
        Assert.NotEmpty(reply.Text);
        Assert.Null(reply.Cost);
        var call = Assert.Single(emulator.Requests.All(), r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));
        Assert.Equal("emulator-listed-model", JsonDocument.Parse(call.Body).RootElement.GetProperty("model").GetString());
        var stored = await app.Services.GetRequiredService<ISessionStore>().FindAsync("local", sessionId, CancellationToken.None);
        // No window of its own: the provider's first configured model's.
        Assert.Equal(16384, app.Services.GetRequiredService<ChatContextService>().ContextWindowOf(stored!));
    }

    [Fact]
    public async Task A_model_neither_configured_nor_listed_is_refused_with_a_problem()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 0 });
        await using var app = UsageHostTests.Emulated(new AgentAppFactory(), emulator, "OpenAICompatible");
        var client = app.CreateClient();

        using var refused = await client.PostAsJsonAsync("/api/sessions", new { title = "Unknown", provider = "emulator", model = "no-such-model" });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Provider 'emulator' has no model 'no-such-model'. (Parameter 'modelId')", problem.GetProperty("error").GetString());
        Assert.Contains(emulator.Requests.All(), r => r.Path == "/v1/models");
    }
}
