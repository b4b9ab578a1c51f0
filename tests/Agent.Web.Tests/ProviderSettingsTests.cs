using Agent.Domain.Bootstrap;
using Agent.Domain.Configuration;
using Agent.Domain.Providers;
using Agent.Domain.Telemetry;
using Agent.Web.Clients;
using Agent.Web.Components.Panels;
using Agent.Web.Hosting;
using Agent.Web.Services;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Agent.Web.Tests;

/// <summary>Settings: providers with mode and state, and a working "Test connection" per provider.</summary>
public sealed class ProviderSettingsTests : AgentTestContext
{
    public ProviderSettingsTests()
    {
        var options = new AgentOptions
        {
            Providers =
            [
                new ProviderOptions { Name = "deterministic", Kind = "Deterministic", Mode = "Deterministic", ChunkDelayMs = 0, Models = [new ModelOptions { Id = "scripted-echo", ContextWindow = 32768 }] },
                new ProviderOptions { Name = "openai", Kind = "OpenAICompatible", Mode = "Live", BaseUrl = "https://api.openai.com/v1", ApiKeyEnvVar = "OPENAI_API_KEY", Models = [new ModelOptions { Id = "gpt-4o-mini", ContextWindow = 128000 }] },
            ],
        };
        Services.AddSingleton(Options.Create(options));
        Services.AddSingleton(new EnvironmentVariables(_ => null));
        Services.AddSingleton(TimeProvider.System);
        Services.AddLogging();
        Services.AddSingleton<ProviderCatalog>();
        Services.AddProviderClients();
    }

    [Fact]
    public void Each_provider_shows_its_mode_and_a_test_connection_button()
    {
        var panel = Render<SettingsPanel>(p => p.Add(x => x.Snapshot, Snapshot()));
        Assert.Equal("live", panel.Find("[data-provider=openai]").GetAttribute("data-provider-mode"));
        Assert.Equal("blocked", panel.Find("[data-provider=openai]").GetAttribute("data-provider-state"));
        Assert.Equal("deterministic", panel.Find("[data-provider=deterministic]").GetAttribute("data-provider-mode"));
        Assert.Equal(2, panel.FindAll("[data-test-connection]").Count);
    }

    [Fact]
    public void Testing_a_blocked_provider_shows_the_action_and_testing_deterministic_says_so()
    {
        var panel = Render<SettingsPanel>(p => p.Add(x => x.Snapshot, Snapshot()));
        panel.Find("[data-test-connection=openai]").Click();
        panel.WaitForAssertion(() =>
        {
            var result = panel.Find("[data-connection-test=openai] [data-connection-result]");
            Assert.Equal("failed", result.GetAttribute("data-connection-result"));
            Assert.Equal("set OPENAI_API_KEY and restart the app", panel.Find("[data-connection-test=openai] [data-connection-action]").TextContent);
        });

        panel.Find("[data-test-connection=deterministic]").Click();
        panel.WaitForAssertion(() =>
        {
            var result = panel.Find("[data-connection-test=deterministic] [data-connection-result]");
            Assert.Equal("ok", result.GetAttribute("data-connection-result"));
            Assert.Contains("deterministic", result.TextContent, StringComparison.Ordinal);
        });
    }

    private static BootstrapSnapshot Snapshot() => new(
        "0.1.0",
        "Initial",
        "/tmp/agent.db",
        "local",
        "deterministic",
        "scripted-echo",
        [
            new ProviderStatus("deterministic", ProviderKind.Deterministic, ProviderMode.Deterministic, ProviderState.Deterministic, null, null, null, null, [new ModelSpec("scripted-echo", 32768, 0, 0)]),
            new ProviderStatus("openai", ProviderKind.OpenAICompatible, ProviderMode.Live, ProviderState.Blocked, "The environment variable OPENAI_API_KEY is not set.", "set OPENAI_API_KEY and restart the app", "https://api.openai.com/v1", "OPENAI_API_KEY", [new ModelSpec("gpt-4o-mini", 128000, 0.15m, 0.6m)]),
        ],
        [],
        [],
        [],
        new Dictionary<Agent.Domain.Memory.MemoryTier, int>(),
        0,
        0,
        0,
        TokenTotals.Zero,
        new TelemetryDefaults("USD", 14, true, 250, 64));
}
