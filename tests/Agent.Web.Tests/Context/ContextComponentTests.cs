using Agent.Domain.Context;
using Agent.Domain.Storage;
using Agent.Runtime.Chat.Context;
using Agent.Web.Components.Chat;
using Agent.Web.Components.Dialogs;
using Agent.Web.Services;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Agent.Web.Tests.Context;

public sealed class ContextComponentTests : AgentTestContext
{
    private sealed class OneTurnContext(TurnContext? context) : ITurnContextStore
    {
        public Task AddAsync(TurnContext context, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<TurnContext?> FindAsync(string tenantId, Guid executionId, CancellationToken cancellationToken) =>
            Task.FromResult(context is not null && context.ExecutionId == executionId && context.TenantId == tenantId ? context : null);
    }

    private static readonly TurnContext Saw = new(Guid.NewGuid(), "local", Guid.NewGuid(), Guid.NewGuid(), "deterministic", "scripted-echo", "o200k_base", true, 600, 525, 300,
        [
            new ContextPart(ContextPartKind.Pinned, "Favourite colour", 20, true, true, "Pinned memory (always kept): Favourite colour\nteal", "memory 1"),
            new ContextPart(ContextPartKind.Recalled, "Garden notes", 400, true, false, "Recalled memory: …", "memory 2", Note: "left out: it did not fit the budget"),
            new ContextPart(ContextPartKind.RecentTurns, "Recent turns (4 of 9 messages)", 280, true, true, null, "transcript", 4, "5 older messages left out: they did not fit the budget"),
        ], DateTimeOffset.UtcNow);

    [Fact]
    public async Task What_the_model_saw_lists_the_parts_in_order_with_tokens_estimate_marks_and_what_was_left_out()
    {
        Services.AddSingleton<ITurnContextStore>(new OneTurnContext(Saw));
        Services.AddScoped<ICurrentTenant, LocalTenant>();
        var dialogs = RenderProviders();
        var service = Services.GetRequiredService<IDialogService>();
        await dialogs.InvokeAsync(() => service.ShowAsync<ContextDialog>("What the model saw", new DialogParameters<ContextDialog> { { d => d.ExecutionId, Saw.ExecutionId } }));

        dialogs.WaitForAssertion(() => Assert.Equal("ready", dialogs.Find("[data-context-dialog]").GetAttribute("data-state")));
        var parts = dialogs.FindAll("[data-context-part]");
        Assert.Equal(["pinned", "recalled", "recent_turns"], parts.Select(p => p.GetAttribute("data-context-part")));
        Assert.Equal(["true", "false", "true"], parts.Select(p => p.GetAttribute("data-included")));
        Assert.All(dialogs.FindAll("[data-part-tokens]"), t => Assert.StartsWith("≈", t.TextContent.Trim(), StringComparison.Ordinal));
        Assert.Contains("did not fit the budget", parts[1].TextContent, StringComparison.Ordinal);
        Assert.Contains("estimates", dialogs.Find("[data-context-tokenizer]").TextContent, StringComparison.Ordinal);
        Assert.Contains("300 of 600 tokens", dialogs.Find("[data-context-summary]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reply_without_a_recorded_context_says_so()
    {
        Services.AddSingleton<ITurnContextStore>(new OneTurnContext(null));
        Services.AddScoped<ICurrentTenant, LocalTenant>();
        var dialogs = RenderProviders();
        var service = Services.GetRequiredService<IDialogService>();
        await dialogs.InvokeAsync(() => service.ShowAsync<ContextDialog>("What the model saw", new DialogParameters<ContextDialog> { { d => d.ExecutionId, Guid.NewGuid() } }));

        dialogs.WaitForAssertion(() => Assert.Equal("error", dialogs.Find("[data-context-dialog]").GetAttribute("data-state")));
        Assert.Contains("No context was recorded", dialogs.Find("[data-context-dialog]").TextContent, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100, false, "mud-progress-linear-color-primary", "100 / 600")]
    [InlineData(520, true, "mud-progress-linear-color-error", "≈ 520 / 600")]
    public void The_gauge_shows_the_next_request_against_the_window(int tokens, bool estimate, string colour, string label)
    {
        var gauge = Render<ContextGaugeView>(p => p.Add(g => g.Gauge, new ContextGauge(tokens, 600, estimate, 0.8, tokens > 480, estimate ? "o200k_base" : "gpt-4o")));

        var meter = gauge.Find("[data-context-gauge]");
        Assert.Equal(tokens.ToString(System.Globalization.CultureInfo.InvariantCulture), meter.GetAttribute("aria-valuenow"));
        Assert.Equal(estimate ? "true" : "false", meter.GetAttribute("data-estimate"));
        Assert.Equal(label, gauge.Find("[data-gauge-label]").TextContent.Trim());
        Assert.NotNull(gauge.Find($".{colour}"));
    }
}
