using Agent.Domain.Providers;
using Agent.Runtime.Clients.Common;
using Agent.Runtime.Services;
using Microsoft.Extensions.AI;

namespace Agent.Runtime.Clients;

/// <summary>The outcome of "Test connection" in Settings and POST /api/providers/{name}/test.</summary>
public sealed record ConnectionTestResult(string Provider, string Model, bool Ok, string Summary, long ElapsedMs, ProviderError? Error);

/// <summary>Sends a one-token request through the real adapter (so the whole pipeline is exercised).</summary>
public sealed class ProviderConnectionTester(ProviderClients clients, ProviderCatalog catalog, TimeProvider timeProvider)
{
    public async Task<ConnectionTestResult> TestAsync(string providerName, CancellationToken cancellationToken)
    {
        var spec = catalog.Find(providerName);
        var model = spec?.Models.FirstOrDefault()?.Id ?? "";
        var started = timeProvider.GetTimestamp();
        try
        {
            using var client = clients.GetClient(providerName, model);
            var response = await client.GetResponseAsync(
                [new ChatMessage(ChatRole.User, "Reply with the single word: ok")],
                new ChatOptions { MaxOutputTokens = 1, AdditionalProperties = new() { [ProviderChatClient.CorrelationIdProperty] = $"conntest-{Guid.NewGuid():N}" } },
                cancellationToken);
            var elapsed = (long)timeProvider.GetElapsedTime(started).TotalMilliseconds;
            var label = spec?.Mode == ProviderMode.Deterministic ? "deterministic (offline, scripted)" : spec?.Mode.ToString().ToLowerInvariant();
            return new ConnectionTestResult(providerName, model, true, $"OK: {label} provider answered with model {response.ModelId ?? model} in {elapsed} ms.", elapsed, null);
        }
        catch (ProviderException ex)
        {
            var elapsed = (long)timeProvider.GetElapsedTime(started).TotalMilliseconds;
            return new ConnectionTestResult(providerName, model, false, ex.Error.ToString(), elapsed, ex.Error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var elapsed = (long)timeProvider.GetElapsedTime(started).TotalMilliseconds;
            var error = new ProviderError(providerName, null, "unexpected_error", ex.Message, true, null, "check the provider settings and the server logs");
            return new ConnectionTestResult(providerName, model, false, error.ToString(), elapsed, error);
        }
    }
}
