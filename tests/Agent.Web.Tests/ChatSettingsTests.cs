using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.ProviderEmulator;

namespace Agent.Web.Tests;

/// <summary>
/// A chat's own instructions and temperature, set over the API on the real host, reach the provider: read back from
/// the request the provider emulator received over HTTP.
/// </summary>
public sealed class ChatSettingsTests
{
    [Fact]
    public async Task The_chats_instructions_and_temperature_are_sent_with_its_next_turn_and_clearing_them_removes_them()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 0 });
        await using var turns = await EmulatedTurns.StartAsync(emulator, skills: 0);
        var session = $"/api/sessions/{turns.SessionId}";

        using (var patched = await turns.Client.PatchAsJsonAsync(session, new { systemPrompt = "  Answer as a ship's captain would.  ", temperature = 0.3 }))
        {
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
            var settings = (await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("settings");
            Assert.Equal("Answer as a ship's captain would.", settings.GetProperty("systemPrompt").GetString());
            Assert.Equal(0.3, settings.GetProperty("temperature").GetDouble());
        }

        var read = await turns.Client.GetFromJsonAsync<JsonElement>($"{session}/settings");
        Assert.Equal("Answer as a ship's captain would.", read.GetProperty("systemPrompt").GetString());

        await turns.SendAndSettleAsync("Where are we heading?");
        var sent = LastRequest(emulator);
        Assert.Equal(0.3, sent.GetProperty("temperature").GetDouble(), 3);
        var system = sent.GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("role").GetString() == "system")
            .Select(m => m.GetProperty("content").ToString())
            .ToList();
        Assert.Contains("Answer as a ship's captain would.", system);

        // Only the temperature goes back to the provider's default; the instructions stay.
        using (var cleared = await turns.Client.PatchAsJsonAsync(session, new { temperature = (double?)null }))
        {
            Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        }

        await turns.SendAndSettleAsync("And then?");
        sent = LastRequest(emulator);
        Assert.False(sent.TryGetProperty("temperature", out _), sent.ToString());
        Assert.Contains(sent.GetProperty("messages").EnumerateArray(), m => m.GetProperty("content").ToString() == "Answer as a ship's captain would.");

        using (var removed = await turns.Client.PatchAsJsonAsync(session, new { systemPrompt = "" }))
        {
            Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        }

        read = await turns.Client.GetFromJsonAsync<JsonElement>($"{session}/settings");
        Assert.Equal(JsonValueKind.Null, read.GetProperty("systemPrompt").ValueKind);
        Assert.Equal(JsonValueKind.Null, read.GetProperty("temperature").ValueKind);
    }

    [Theory]
    [InlineData("{\"temperature\": 2.5}", "The temperature is 2.5; it must be between 0 and 2.")]
    [InlineData("{\"temperature\": -0.1}", "The temperature is -0.1; it must be between 0 and 2.")]
    [InlineData("{\"temperature\": \"warm\"}", "'temperature' must be a number from 0 to 2, or null for the provider's default.")]
    [InlineData("{\"systemPrompt\": 42}", "'systemPrompt' must be a string, or null to remove the chat's instructions.")]
    public async Task Settings_out_of_range_are_refused_with_the_reason_and_change_nothing(string body, string reason)
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 0 });
        await using var turns = await EmulatedTurns.StartAsync(emulator, skills: 0);
        var session = $"/api/sessions/{turns.SessionId}";
        using (var kept = await turns.Client.PatchAsJsonAsync(session, new { temperature = 0.7 }))
        {
            kept.EnsureSuccessStatusCode();
        }

        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var refused = await turns.Client.PatchAsync(new Uri(session, UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains(reason, await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0.7, (await turns.Client.GetFromJsonAsync<JsonElement>($"{session}/settings")).GetProperty("temperature").GetDouble());
    }

    [Fact]
    public async Task Instructions_longer_than_the_limit_are_refused()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 0 });
        await using var turns = await EmulatedTurns.StartAsync(emulator, skills: 0);

        using var refused = await turns.Client.PatchAsJsonAsync($"/api/sessions/{turns.SessionId}", new { systemPrompt = new string('x', 20_001) });

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("The chat's system prompt has 20,001 characters; the limit is 20,000.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static JsonElement LastRequest(EmulatorServer emulator) =>
        JsonDocument.Parse(emulator.Requests.All().Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Body).RootElement;
}
