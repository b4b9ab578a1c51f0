using Agent.Domain.Configuration;
using Agent.Domain.Storage;
using Agent.Domain.Telemetry;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Agent.Web.Components.Pages;

/// <summary>Token totals of every reply with usage, read from the usage store; says plainly that charts and costs are not built yet.</summary>
public sealed partial class Tokens : IDisposable
{
    private readonly CancellationTokenSource disposed = new();
    private TokenTotals? totals;
    private string? error;

    [Inject]
    public required ICurrentTenant CurrentTenant { get; init; }

    [Inject]
    public required ITokenUsageStore Usage { get; init; }

    [Inject]
    public required IOptions<AgentOptions> Options { get; init; }

    private PanelStateKind State => error is not null ? PanelStateKind.Error
        : totals is null ? PanelStateKind.Loading
        : totals.Messages == 0 ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    private string? StateMessage => State switch
    {
        PanelStateKind.Error => error,
        PanelStateKind.Loading => "Adding up token usage…",
        PanelStateKind.Empty => "No token usage recorded yet. Usage is read from the provider for every reply, streamed ones included.",
        _ => null,
    };

    protected override async Task OnInitializedAsync()
    {
        try
        {
            totals = await Usage.TotalsAsync(CurrentTenant.TenantId, disposed.Token);
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            error = $"Token usage could not be read: {ex.Message}";
        }
    }

    private static IEnumerable<(string Key, string Label, string Value)> Figures(TokenTotals t) =>
    [
        ("input", "Input", t.InputTokens.ToString("N0")),
        ("output", "Output", t.OutputTokens.ToString("N0")),
        ("cached", "Cached input", t.CachedInputTokens.ToString("N0")),
        ("reasoning", "Reasoning", t.ReasoningTokens.ToString("N0")),
        ("messages", "Replies with usage", t.Messages.ToString("N0")),
    ];

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
