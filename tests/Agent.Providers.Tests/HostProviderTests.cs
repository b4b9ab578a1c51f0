using System.Text.Json;
using Agent.ProviderEmulator;
using Agent.Web.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Providers.Tests;

/// <summary>The real app host with the emulator configured as a sandbox provider: bootstrap modes and the connection-test API.</summary>
public sealed class HostProviderTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Bootstrap_shows_every_provider_with_mode_and_state()
    {
        using var app = new HostFactory(fixture.Server);
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
        using var app = new HostFactory(fixture.Server);
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

    private sealed class HostFactory(EmulatorServer emulator) : WebApplicationFactory<Program>
    {
        private readonly string folder = Path.Combine(Path.GetTempPath(), "agent-provider-tests", Guid.NewGuid().ToString("N"));

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            Directory.CreateDirectory(folder);
            builder.UseContentRoot(Path.GetFullPath(Path.Combine(ContractFixtureTests.ContractsDir, "..", "..")));
            builder.UseEnvironment("Testing");
            builder.UseSetting("Agent:Storage:DatabasePath", Path.Combine(folder, "agent.db"));
            builder.UseSetting("Agent:Providers:3:Name", "emulator");
            builder.UseSetting("Agent:Providers:3:Kind", "OpenAICompatible");
            builder.UseSetting("Agent:Providers:3:Mode", "Sandbox");
            builder.UseSetting("Agent:Providers:3:BaseUrl", emulator.OpenAIBaseUrl.ToString());
            builder.UseSetting("Agent:Providers:3:Models:0:Id", "emulated");
            builder.UseSetting("Agent:Providers:3:Models:0:ContextWindow", "8192");
            builder.ConfigureServices(services => services.AddSingleton(new EnvironmentVariables(_ => null)));
        }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }
}
