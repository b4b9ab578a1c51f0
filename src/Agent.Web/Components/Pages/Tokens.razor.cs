using System.Globalization;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Agent.Web.Components.Pages;

/// <summary>Tokens and cost over the chart range: totals, usage and cost per day, per model and the top sessions (MudChart), with tables of the same figures.</summary>
public sealed partial class Tokens : IDisposable
{
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;
    private readonly CancellationTokenSource disposed = new();
    private TokensSnapshot? snapshot;
    private string? error;
    private bool loading = true;
    private string[] dayLabels = [];
    private string[] modelLabels = [];
    private string[] sessionLabels = [];
    private List<ChartSeries<double>> usageSeries = [];
    private List<ChartSeries<double>> costSeries = [];
    private List<ChartSeries<double>> modelSeries = [];
    private List<ChartSeries<double>> sessionSeries = [];
    private StackedBarChartOptions usageOptions = new();
    private LineChartOptions costOptions = new();
    private BarChartOptions modelOptions = new();
    private BarChartOptions sessionOptions = new();
    private decimal costScale = 1;
    private string costUnit = "";

    [Inject]
    public required TokensViewModel Model { get; init; }

    [Inject]
    public required ICurrentTenant Tenant { get; init; }

    private PanelStateKind State => error is not null ? PanelStateKind.Error
        : loading || snapshot is null ? PanelStateKind.Loading
        : snapshot.Total.Messages == 0 ? PanelStateKind.Empty
        : PanelStateKind.Ready;

    private string? StateMessage => State switch
    {
        PanelStateKind.Error => error,
        PanelStateKind.Loading => "Adding up token usage…",
        PanelStateKind.Empty => "No token usage in this range yet. Usage is read from the provider for every reply, streamed ones included (or estimated and marked when a provider reports none).",
        _ => null,
    };

    private string? Badge => snapshot is { } s ? $"{s.From:yyyy-MM-dd} to {s.To:yyyy-MM-dd} (UTC) · {s.Currency}" : null;

    private string CsvHref => snapshot is { } s ? $"/api/tokens.csv?groupBy=day&from={s.From:yyyy-MM-dd}&to={s.To:yyyy-MM-dd}" : "/api/tokens.csv?groupBy=day";

    protected override Task OnInitializedAsync() => LoadAsync();

    private async Task LoadAsync()
    {
        loading = true;
        try
        {
            snapshot = await Model.LoadAsync(Tenant.TenantId, disposed.Token);
            BuildCharts(snapshot);
            error = null;
        }
        catch (OperationCanceledException) when (disposed.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            error = $"Token usage could not be read: {ex.Message}";
        }
        finally
        {
            loading = false;
        }
    }

    private void BuildCharts(TokensSnapshot s)
    {
        static ChartSeries<double> Series(string name, IEnumerable<double> values) => new() { Name = name, Data = new ChartData<double>(values.ToList()) };
        dayLabels = s.Days.Select(d => AxisLabel(d.Label)).ToArray();
        usageSeries =
        [
            Series("Input", s.Days.Select(d => (double)d.Usage.InputTokens)),
            Series("Output", s.Days.Select(d => (double)d.Usage.OutputTokens)),
        ];
        // The axis ticks are whole numbers: a day's cost of a few millionths is drawn in millionths, not as a flat line at 0.
        (costScale, costUnit) = CostUnit(s.Days.Max(d => d.Usage.Cost), s.Currency);
        costSeries = [Series($"Cost ({costUnit})", s.Days.Select(d => (double)(d.Usage.Cost * costScale)))];
        modelLabels = s.Models.Select(m => AxisLabel(m.Key)).ToArray();
        modelSeries =
        [
            Series("Input", s.Models.Select(m => (double)m.InputTokens)),
            Series("Output", s.Models.Select(m => (double)m.OutputTokens)),
        ];
        sessionLabels = s.TopSessions.Select(t => AxisLabel(t.Title.Length > 18 ? t.Title[..17] + "…" : t.Title)).ToArray();
        sessionSeries = [Series("Tokens", s.TopSessions.Select(t => (double)t.Usage.TotalTokens))];
        usageOptions = new StackedBarChartOptions { YAxisTicks = TickFor(s.Days.Max(d => d.Usage.TotalTokens)), YAxisFormat = "N0" };
        costOptions = new LineChartOptions { YAxisTicks = TickFor((double)(s.Days.Max(d => d.Usage.Cost) * costScale)), YAxisFormat = "N0" };
        modelOptions = new BarChartOptions { YAxisTicks = TickFor(s.Models.Select(m => (double)Math.Max(m.InputTokens, m.OutputTokens)).DefaultIfEmpty(0).Max()), YAxisFormat = "N0" };
        sessionOptions = new BarChartOptions { YAxisTicks = TickFor(s.TopSessions.Select(t => (double)t.Usage.TotalTokens).DefaultIfEmpty(0).Max()), YAxisFormat = "N0" };
    }

    /// <summary>
    /// MudChart writes its axis labels (ChartLabels) into the SVG as markup, not text: a session titled
    /// <c>&lt;img src=x onerror=…&gt;</c> became an element. Every label is HTML-encoded here, so the chart's markup is the
    /// title's text. Series names are not: the legend renders them as text (encoding them would show the entities).
    /// </summary>
    internal static string AxisLabel(string text) => System.Net.WebUtility.HtmlEncode(text);

    /// <summary>About five ticks up to <paramref name="max"/>: 1, 2 or 5 times a power of ten, at least 1.</summary>
    internal static int TickFor(double max)
    {
        if (max <= 5)
        {
            return 1;
        }

        var raw = max / 5;
        var power = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = raw / power <= 1 ? 1 : raw / power <= 2 ? 2 : raw / power <= 5 ? 5 : 10;
        return (int)Math.Min(int.MaxValue, step * power);
    }

    /// <summary>The unit the cost chart draws in: the currency, or thousandths or millionths of it when the days' costs are small.</summary>
    internal static (decimal Scale, string Unit) CostUnit(decimal max, string currency) =>
        max >= 10 || max == 0 ? (1, currency)
        : max * 1000 >= 10 ? (1000, $"thousandths of {currency}")
        : (1_000_000, $"millionths of {currency}");

    private string Money(decimal amount) => string.Create(Culture, $"{amount:0.######} {snapshot?.Currency}");

    private IEnumerable<(string Key, string Label, string Value)> Figures(TokensSnapshot s) =>
    [
        ("input", "Input", s.Total.InputTokens.ToString("N0", Culture)),
        ("output", "Output", s.Total.OutputTokens.ToString("N0", Culture)),
        ("cached", "Cached input", s.Total.CachedInputTokens.ToString("N0", Culture)),
        ("reasoning", "Reasoning", s.Total.ReasoningTokens.ToString("N0", Culture)),
        ("cost", "Cost", Money(s.Total.Cost)),
        ("messages", "Replies with usage", s.Total.Messages.ToString("N0", Culture)),
    ];

    public void Dispose()
    {
        disposed.Cancel();
        disposed.Dispose();
    }
}
