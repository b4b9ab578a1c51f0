using Agent.Domain.Runtime;

namespace Agent.Runtime.Runtime;

/// <summary>The runtime's per-execution bookkeeping and the adapters a handler's context gets.</summary>
public sealed partial class ExecutionRuntime
{
    private sealed class ActiveExecution(ExecutionRecord record, CancellationToken stopping)
    {
        public ExecutionRecord Record { get; set; } = record;

        public SemaphoreSlim Gate { get; } = new(1, 1);

        public CancellationTokenSource Cancel { get; private set; } = CancellationTokenSource.CreateLinkedTokenSource(stopping);

        public bool CancelRequested { get; set; }

        public int RunAttempts { get; set; }

        /// <summary>A fresh run (retry asked by a person): new cancellation source and attempt budget.</summary>
        public void Reset()
        {
            Cancel.Dispose();
            Cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            CancelRequested = false;
            RunAttempts = 0;
        }
    }

    private sealed class ExecutionProgress(ExecutionRuntime runtime, ActiveExecution a) : IProgressReporter
    {
        public Task ReportAsync(double fraction, string? message, CancellationToken cancellationToken) => runtime.ReportProgressAsync(a, fraction, message, cancellationToken);
    }

    private sealed class ExecutionWalAppender(ExecutionRuntime runtime, ActiveExecution a) : IWalAppender
    {
        public Guid ExecutionId => a.Record.Id;

        public string TenantId => a.Record.TenantId;

        public Task<long> AppendAsync(string eventType, string payloadJson, CancellationToken cancellationToken) => runtime.AppendDomainEventAsync(a, eventType, payloadJson, cancellationToken);
    }

    private sealed class LockedRandom(Random source, Lock gate)
    {
        public Random Next()
        {
            lock (gate)
            {
                return new Random(source.Next());
            }
        }
    }

    private enum OutcomeKind
    {
        Completed,
        Failed,
        Cancelled,
        Stopped,
    }

    private sealed record Outcome(OutcomeKind Kind, IntentResult? Result, string? Error, bool Permanent);
}
