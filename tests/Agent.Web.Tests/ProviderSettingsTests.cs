using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Runtime.Clients;
using Agent.Runtime.Hosting;
using Agent.Runtime.Services;
using Agent.Web.Components.Pages;
using Agent.Web.Tests.Runtime;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Agent.Web.Tests;

/// <summary>Settings: provider cards with mode, state, what to set when blocked, and a working "Test connection".</summary>
public sealed class ProviderSettingsTests : AgentTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private static ProviderOptions Deterministic => new() { Name = "deterministic", Kind = "Deterministic", Mode = "Deterministic", ChunkDelayMs = 0, Models = [new ModelOptions { Id = "scripted-echo", ContextWindow = 32768 }] };

    private static ProviderOptions OpenAI => new() { Name = "openai", Kind = "OpenAICompatible", Mode = "Live", BaseUrl = "https://api.openai.com/v1", ApiKeyEnvVar = "OPENAI_API_KEY", Models = [new ModelOptions { Id = "gpt-4o-mini", ContextWindow = 128000 }] };

    private void AddServices(AgentOptions options, bool database = true)
    {
        Services.AddSingleton(Options.Create(options));
        Services.AddSingleton(new EnvironmentVariables(_ => null));
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(new AppInfo("0.1.0", Path.GetTempPath(), "/tmp/agent.db"));
        Services.AddSingleton<ProviderCatalog>();
        Services.AddProviderClients();
        var path = database ? TestPaths.NewDatabasePath() : Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid().ToString("N"), "x", "agent.db");
        Services.AddAgentData(path);
        Services.AddTransient<SettingsViewModel>();
        if (database)
        {
            Services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        }

        RenderProviders();
    }

    [Fact]
    public void Each_provider_card_shows_its_mode_state_models_and_a_test_connection_button()
    {
        AddServices(new AgentOptions { Providers = [Deterministic, OpenAI] });
        var page = Render<Settings>();
        page.WaitForAssertion(() => Assert.Equal("ready", page.Find("[data-panel=settings]").GetAttribute("data-state")), Wait);

        var openai = page.Find("[data-provider=openai]");
        Assert.Equal("live", openai.GetAttribute("data-provider-mode"));
        Assert.Equal("blocked", openai.GetAttribute("data-provider-state"));
        Assert.Contains("The environment variable OPENAI_API_KEY is not set.", openai.TextContent, StringComparison.Ordinal);
        Assert.Equal("set OPENAI_API_KEY and restart the app", openai.QuerySelector(".blocked-reason strong")!.TextContent);
        Assert.Contains("gpt-4o-mini · 128,000 tokens", openai.QuerySelector("[data-model]")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("https://api.openai.com/v1", openai.QuerySelector("[data-base-url]")!.TextContent);

        var deterministic = page.Find("[data-provider=deterministic]");
        Assert.Equal("deterministic", deterministic.GetAttribute("data-provider-mode"));
        Assert.Equal("deterministic", deterministic.GetAttribute("data-provider-state"));
        Assert.Null(deterministic.QuerySelector(".blocked-reason"));
        Assert.Equal("deterministic", page.Find("[data-default-provider]").TextContent);
        Assert.Equal(2, page.FindAll("button[data-test-connection]").Count);

        Assert.Equal("0", page.Find("[data-fact=sessions]").TextContent);
        Assert.Equal("0.1.0", page.Find("[data-app-version]").TextContent);
    }

    [Fact]
    public void Testing_a_blocked_provider_shows_the_action_and_testing_deterministic_says_so()
    {
        AddServices(new AgentOptions { Providers = [Deterministic, OpenAI] });
        var page = Render<Settings>();
        page.WaitForAssertion(() => page.Find("button[data-test-connection=openai]"), Wait);
        page.Find("button[data-test-connection=openai]").Click();
        page.WaitForAssertion(() =>
        {
            var result = page.Find("[data-connection-test=openai] [data-connection-result]");
            Assert.Equal("failed", result.GetAttribute("data-connection-result"));
            Assert.Equal("set OPENAI_API_KEY and restart the app", page.Find("[data-connection-test=openai] [data-connection-action]").TextContent);
        }, Wait);

        page.Find("button[data-test-connection=deterministic]").Click();
        page.WaitForAssertion(() =>
        {
            var result = page.Find("[data-connection-test=deterministic] [data-connection-result]");
            Assert.Equal("ok", result.GetAttribute("data-connection-result"));
            Assert.Contains("deterministic", result.TextContent, StringComparison.Ordinal);
        }, Wait);
    }

    [Fact]
    public void Settings_is_blocked_when_new_chats_have_no_usable_provider_and_says_what_to_set()
    {
        AddServices(new AgentOptions { Providers = [OpenAI] });
        var page = Render<Settings>();
        page.WaitForAssertion(() => Assert.Equal("blocked", page.Find("[data-panel=settings]").GetAttribute("data-state")), Wait);
        var message = page.Find("[data-panel=settings] [data-state-message]").TextContent;
        Assert.Contains("openai is blocked", message, StringComparison.Ordinal);
        Assert.Contains("set OPENAI_API_KEY and restart the app", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_shows_an_error_when_the_storage_facts_cannot_be_read_and_keeps_the_providers()
    {
        AddServices(new AgentOptions { Providers = [Deterministic] }, database: false);
        var page = Render<Settings>();
        page.WaitForAssertion(() => Assert.Equal("error", page.Find("[data-panel=settings]").GetAttribute("data-state")), Wait);
        Assert.Contains("The storage facts could not be read", page.Find("[data-state-message]").TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.Find("[data-provider=deterministic]"));
    }

    [Fact]
    public void Settings_is_empty_without_providers()
    {
        AddServices(new AgentOptions { Providers = [] });
        var page = Render<Settings>();
        page.WaitForAssertion(() => Assert.Equal("empty", page.Find("[data-panel=settings]").GetAttribute("data-state")), Wait);
        Assert.Contains("No providers are configured", page.Find("[data-state-message]").TextContent, StringComparison.Ordinal);
    }
}
