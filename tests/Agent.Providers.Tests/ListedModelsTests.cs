using Agent.Domain.Configuration;
using Agent.ProviderEmulator;
using Agent.Runtime.Clients.Common;

namespace Agent.Providers.Tests;

/// <summary>The models an OpenAI-compatible server lists at /v1/models, read over real HTTP from the emulator.</summary>
public sealed class ListedModelsTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task The_servers_models_are_listed_once_within_the_cache_window_and_the_key_is_sent_but_never_recorded()
    {
        using var harness = new ProviderHarness(fixture.Server);
        var before = ModelRequests();

        var first = await harness.Listed.ListAsync("openai", CancellationToken.None);
        var second = await harness.Listed.ListAsync("OpenAI", CancellationToken.None);

        Assert.Null(first.Reason);
        Assert.Equal(EmulatorServer.ListedModels, first.Models);
        Assert.Same(first, second);
        var requests = ModelRequests();
        Assert.Equal(before.Count + 1, requests.Count);
        Assert.Equal("[redacted]", requests[^1].Headers["Authorization"]);
        Assert.DoesNotContain(harness.Logs.Lines, l => l.Contains(harness.Key, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_listed_model_is_accepted_and_streams_with_its_id_while_an_unknown_one_is_still_refused()
    {
        using var harness = new ProviderHarness(fixture.Server);
        Assert.Equal("unknown_model", Assert.Throws<ProviderException>(() => harness.Clients.GetClient("openai", "emulator-listed-model")).Error.Code);

        await harness.Listed.ListAsync("openai", CancellationToken.None);
        var messages = ProviderHarness.Ask("ok");
        var reply = await StreamCollector.CollectAsync(harness.Clients.GetClient("openai", "emulator-listed-model"), messages);

        Assert.Null(reply.Error);
        Assert.NotEmpty(reply.Text);
        Assert.Contains("\"model\":\"emulator-listed-model\"", Assert.Single(harness.RequestsFor(messages)).Body, StringComparison.Ordinal);
        Assert.Equal("unknown_model", Assert.Throws<ProviderException>(() => harness.Clients.GetClient("openai", "gpt-unknown")).Error.Code);
    }

    [Fact]
    public async Task After_a_restart_a_sessions_listed_model_streams_before_the_server_was_listed_again()
    {
        // A new harness is a new process: nothing listed yet.
        using var harness = new ProviderHarness(fixture.Server);
        Assert.Equal("unknown_model", Assert.Throws<ProviderException>(() => harness.Clients.GetClient("openai", "emulator-listed-model")).Error.Code);

        var messages = ProviderHarness.Ask("still there?");
        var reply = await StreamCollector.CollectAsync(harness.Clients.GetClient("openai", "emulator-listed-model", chosenForSession: true), messages);

        Assert.Null(reply.Error);
        Assert.Contains("\"model\":\"emulator-listed-model\"", Assert.Single(harness.RequestsFor(messages)).Body, StringComparison.Ordinal);
        Assert.Equal("unknown_model", Assert.Throws<ProviderException>(() => harness.Clients.GetClient("deterministic", "gpt-unknown", chosenForSession: true)).Error.Code);
    }

    [Fact]
    public async Task A_server_answering_404_or_down_gives_a_reason_not_an_exception()
    {
        using var harness = new ProviderHarness(fixture.Server, configure: o =>
        {
            o.Providers.Add(new ProviderOptions { Name = "no-models", Kind = "OpenAICompatible", Mode = "Sandbox", BaseUrl = new Uri(fixture.Server.BaseAddress, "nothing-here").ToString(), Models = [new ModelOptions { Id = "m", ContextWindow = 8192 }] });
            o.Providers.Add(new ProviderOptions { Name = "down", Kind = "OpenAICompatible", Mode = "Sandbox", BaseUrl = "http://127.0.0.1:1/v1", Resilience = new ProviderResilienceOptions { MaxRetries = 0 }, Models = [new ModelOptions { Id = "m", ContextWindow = 8192 }] });
        });

        var missing = await harness.Listed.ListAsync("no-models", CancellationToken.None);
        var down = await harness.Listed.ListAsync("down", CancellationToken.None);

        Assert.Empty(missing.Models);
        Assert.Contains("404", missing.Reason, StringComparison.Ordinal);
        Assert.Empty(down.Models);
        Assert.False(string.IsNullOrWhiteSpace(down.Reason));
    }

    [Theory]
    [InlineData("deterministic")]
    [InlineData("anthropic")]
    [InlineData("blocked")]
    public async Task Deterministic_anthropic_and_blocked_providers_list_nothing(string provider)
    {
        using var harness = new ProviderHarness(fixture.Server);
        var before = ModelRequests().Count;

        var listing = await harness.Listed.ListAsync(provider, CancellationToken.None);

        Assert.Empty(listing.Models);
        Assert.Null(listing.Reason);
        Assert.Equal(before, ModelRequests().Count);
    }

    private List<RecordedRequest> ModelRequests() =>
        fixture.Server.Requests.All().Where(r => r.Path == "/v1/models").ToList();
}
