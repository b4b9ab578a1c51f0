using System.Globalization;
using System.Text.Json;
using Agent.Domain.Runtime;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Runtime;

/// <summary>
/// DIAGNOSTIC intents: they do no real work. They exist so a person (and the crash test) can watch the runtime
/// run, report progress, cancel, survive a restart and produce an artifact.
/// </summary>
public static class DiagnosticIntents
{
    public const string LongTask = "demo_long_task";
    public const string Sleep = "diagnostic_sleep";

    /// <summary>N steps of stepMs each; checkpoints its step in the execution state, so a restart resumes where it was.</summary>
    public static IntentMetadata LongTaskMetadata { get; } = new(
        "Diagnostic long task: N steps (metadata steps, stepMs) reporting progress; resumes after a restart. Does no real work.",
        new IntentPolicy(TimeSpan.FromHours(2), 3, RecoveryPolicy.Resume, BackoffOptions.Default),
        IsDiagnostic: true);

    /// <summary>One sleep of ms milliseconds; left interrupted by a restart for a person to retry.</summary>
    public static IntentMetadata SleepMetadata { get; } = new(
        "Diagnostic sleep: waits metadata ms milliseconds; left interrupted after a restart. Does no real work.",
        new IntentPolicy(TimeSpan.FromHours(1), 1, RecoveryPolicy.Leave, BackoffOptions.Default),
        IsDiagnostic: true);

    internal static int IntValue(ExecutionContext context, string key, int fallback, int min, int max)
    {
        var raw = context.ParameterValue(key);
        if (raw is null)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new PermanentIntentFailureException($"metadata '{key}' must be a whole number from {min} to {max}; got '{raw}'.");
        }

        return value;
    }
}

public sealed class DemoLongTaskHandler(TimeProvider time) : IIntentHandler
{
    public const string StepKey = "completed_steps";

    public async Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var steps = DiagnosticIntents.IntValue(context, "steps", 10, 1, 10_000);
        var stepMs = DiagnosticIntents.IntValue(context, "stepMs", 1000, 0, 600_000);
        var done = int.TryParse(await context.State.Execution.GetAsync(StepKey, cancellationToken), NumberStyles.Integer, CultureInfo.InvariantCulture, out var saved) ? saved : 0;
        if (context.IsResume && done > 0)
        {
            await context.Wal.AppendAsync("demo.resumed", JsonSerializer.Serialize(new { fromStep = done }), cancellationToken);
        }

        for (var step = done + 1; step <= steps; step++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(stepMs), time, cancellationToken);
            await context.State.Execution.SetAsync(StepKey, step.ToString(CultureInfo.InvariantCulture), cancellationToken);
            await context.Progress.ReportAsync((double)step / steps, $"Diagnostic step {step} of {steps}", cancellationToken);
        }

        var report = JsonSerializer.Serialize(new { steps, stepMs, resumed = context.IsResume });
        return new IntentResult(
            [new ArtifactDraft("diagnostic.report", $"demo_long_task finished {steps} steps", [], [new Materialization("inline", $"data:application/json,{Uri.EscapeDataString(report)}", "application/json", report.Length)])],
            [new DomainEvent("demo.finished", report)]);
    }
}

public sealed class DiagnosticSleepHandler(TimeProvider time) : IIntentHandler
{
    public async Task<IntentResult> HandleAsync(ExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var ms = DiagnosticIntents.IntValue(context, "ms", 5000, 0, 3_600_000);
        await context.Progress.ReportAsync(0, $"Sleeping {ms} ms (diagnostic)", cancellationToken);
        await Task.Delay(TimeSpan.FromMilliseconds(ms), time, cancellationToken);
        return IntentResult.Empty;
    }
}
