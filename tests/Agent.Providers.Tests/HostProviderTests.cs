using System.Text.Json;

namespace Agent.Providers.Tests;

/// <summary>The real app host with the emulator configured as a sandbox provider: bootstrap modes and the connection-test API.</summary>
public sealed class HostProviderTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Bootstrap_shows_every_provider_with_mode_and_state()
    {
        using var app = new EmulatorHost(fixture.Server);
        using var http = app.CreateClient();
        using var doc = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/bootstrap", UriKind.Relative)));
        var providers = doc.RootElement.GetProperty("providers").EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!);
        Assert.Equal(("Deterministic", "Deterministic"), ModeState(providers["deterministic"]));
        Assert.Equal(("Live", "Blocked"), ModeState(providers["openai"]));
        Assert.Equal("set OPENAI_API_KEY and restart the app", providers["openai"].GetProperty("action").GetString());
        Assert.Equal(("Live", "Blocked"), ModeState(providers["anthropic"]));
        Assert.Equal(("Sandbox", "Ready"), ModeState(providers["emulator"]));
        Assert.Equal(fixture.Server.OpenAIBaseUrl.ToString(), providers["emulator"].GetProperty("baseUrl").GetString());
    }

    [Fact]
    public async Task Connection_test_api_reaches_the_sandbox_and_refuses_blocked_providers_with_the_action()
    {
        using var app = new EmulatorHost(fixture.Server);
        using var http = app.CreateClient();
        var before = fixture.Server.Requests.All().Count;
        using var ok = JsonDocument.Parse(await (await http.PostAsync(new Uri("/api/providers/emulator/test", UriKind.Relative), null)).Content.ReadAsStringAsync());
        Assert.True(ok.RootElement.GetProperty("ok").GetBoolean(), ok.RootElement.GetRawText());
        Assert.Contains("sandbox", ok.RootElement.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.True(fixture.Server.Requests.All().Count > before);

        using var blocked = JsonDocument.Parse(await (await http.PostAsync(new Uri("/api/providers/anthropic/test", UriKind.Relative), null)).Content.ReadAsStringAsync());
        Assert.False(blocked.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal("provider_blocked", blocked.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("set ANTHROPIC_API_KEY and restart the app", blocked.RootElement.GetProperty("error").GetProperty("action").GetString());
    }

    private static (string?, string?) ModeState(JsonElement provider) =>
        (provider.GetProperty("mode").GetString(), provider.GetProperty("state").GetString());
}
