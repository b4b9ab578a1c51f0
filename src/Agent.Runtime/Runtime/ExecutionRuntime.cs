using System.Collections.Concurrent;
using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.Domain.Storage;
using Microsoft.Extensions.Options;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Runtime.Runtime;

/// <summary>
/// Owns every execution: creates it, moves it through its lifecycle (each move written with its WAL entry in one
/// transaction), admits it within the caps, runs its handler with timeout, cancellation and retry with backoff,
/// and on start recovers what the previous process left unfinished. Handlers only see an <see cref="ExecutionContext"/>.
/// </summary>
public sealed partial class ExecutionRuntime : IHostedService, IDisposable
{
    /// <summary>Metadata key naming the execution that started this one and waits for it (see <see cref="RunsInParentSlot"/>).</summary>
    public const string ParentExecutionKey = "parentExecutionId";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly IntentRegistry registry;
    private readonly IExecutionJournal journal;
    private readonly IExecutionStore executions;
    private readonly IWalStore wal;
    private readonly IStateStore stateStore;
    private readonly StateSurfaceService state;
    private readonly ArtifactRegistry artifacts;
    private readonly ITenantOwnership ownership;
    private readonly ExecutionAdmission admission;
    private readonly ExecutionFeed feed;
    private readonly TimeProvider time;
    private readonly ExecutionRuntimeOptions options;
    private readonly ILogger<ExecutionRuntime> logger;
    private readonly Agent.Runtime.Telemetry.AgentInstrumentation? instrumentation;
    private readonly ConcurrentDictionary<Guid, ActiveExecution> active = new();
    private readonly ConcurrentDictionary<Guid, Task> running = new();
    private readonly CancellationTokenSource stopping = new();
    // Submissions with the same idempotency key are serialized (find, then create); other keys go through other gates,
    // so keyed submissions still share batch commits.
    private readonly SemaphoreSlim[] submitGates = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1, 1))];
    private readonly Random jitter;
    private readonly Lock jitterGate = new();
    private int disposed;

    public ExecutionRuntime(
        IntentRegistry registry,
        IExecutionJournal journal,
        IExecutionStore executions,
        IWalStore wal,
        IStateStore stateStore,
        StateSurfaceService state,
        ArtifactRegistry artifacts,
        ITenantOwnership ownership,
        ExecutionAdmission admission,
        ExecutionFeed feed,
        TimeProvider time,
        IOptions<ExecutionRuntimeOptions> options,
        ILogger<ExecutionRuntime> logger,
        Agent.Runtime.Telemetry.AgentInstrumentation? instrumentation = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.instrumentation = instrumentation;
        this.registry = registry;
        this.journal = journal;
        this.executions = executions;
        this.wal = wal;
        this.stateStore = stateStore;
        this.state = state;
        this.artifacts = artifacts;
        this.ownership = ownership;
        this.admission = admission;
        this.feed = feed;
        this.time = time;
        this.options = options.Value;
        this.logger = logger;
        jitter = this.options.JitterSeed is { } seed ? new Random(seed) : new Random();
    }

    public IntentRegistry Intents => registry;

    /// <summary>The intent an execution runs, as the contract shapes it (an execution written before solution ids were kept gets the install's).</summary>
    public Intent IntentOf(ExecutionRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new Intent(record.Intent, record.TenantId, record.SessionId, record.SolutionId ?? options.SolutionId,
            JsonSerializer.Deserialize<Dictionary<string, string>>(record.ParametersJson, Json) ?? [],
            JsonSerializer.Deserialize<Dictionary<string, string>>(record.MetadataJson, Json) ?? []);
    }

    /// <summary>Executions recovered by the last start: (found, resumed or retried, left interrupted).</summary>
    public RecoveryReport? LastRecovery { get; private set; }

    // ---------------------------------------------------------------- queries

    public Task<ExecutionRecord?> FindAsync(string tenantId, Guid executionId, CancellationToken cancellationToken) =>
        active.TryGetValue(executionId, out var a) && a.Record.TenantId == tenantId
            ? Task.FromResult<ExecutionRecord?>(a.Record)
            : executions.FindAsync(tenantId, executionId, cancellationToken);

    public Task<IReadOnlyList<ExecutionRecord>> ListAsync(string tenantId, int skip, int take, CancellationToken cancellationToken) =>
        executions.ListAsync(tenantId, skip, take, cancellationToken);

    /// <summary>A page of stored executions for the Runs grid; the live feed keeps running rows current between pages.</summary>
    public Task<ExecutionPage> PageAsync(string tenantId, ExecutionFilter filter, int skip, int take, CancellationToken cancellationToken) =>
        executions.PageAsync(tenantId, filter, skip, take, cancellationToken);

    /// <summary>The WAL entries of one execution of the tenant, or null when the tenant has no such execution.</summary>
    public async Task<IReadOnlyList<WalEntry>?> EventsAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        if (await FindAsync(tenantId, executionId, cancellationToken) is null)
        {
            return null;
        }

        return await wal.ReadByExecutionAsync(executionId, cancellationToken);
    }

    public Task<IReadOnlyList<Artifact>> ArtifactsOfAsync(string tenantId, Guid executionId, CancellationToken cancellationToken) =>
        artifacts.ListAsync(new ArtifactQuery(tenantId, ProducedByExecutionId: executionId, Take: 200), cancellationToken);

    // ---------------------------------------------------------------- commands

    public async Task<SubmitOutcome> SubmitAsync(ExecutionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (stopping.IsCancellationRequested)
        {
            throw new CapsExceededException("The server is stopping; submit again after it restarts.");
        }

        if (string.IsNullOrWhiteSpace(request.TenantId))
        {
            throw new SubmissionRejectedException("tenant is missing");
        }

        if (string.IsNullOrWhiteSpace(request.Intent))
        {
            throw new SubmissionRejectedException("intent is missing");
        }

        if (request.SessionId == Guid.Empty)
        {
            throw new SubmissionRejectedException("sessionId is an empty id; omit it or give a real session id");
        }

        if (IdempotencyRules.KeyProblem(request.IdempotencyKey) is { } keyProblem)
        {
            throw new SubmissionRejectedException(keyProblem);
        }

        if (request.Metadata is null)
        {
            throw new SubmissionRejectedException("metadata is missing (use an empty map)");
        }

        if (request.Parameters is null || request.Parameters.Keys.Any(string.IsNullOrWhiteSpace))
        {
            throw new SubmissionRejectedException("parameters must be a map without blank keys (use an empty map)");
        }

        if (request.SolutionId is { } solution && solution != options.SolutionId)
        {
            throw new SubmissionRejectedException($"solutionId '{solution}' is not this install's ('{options.SolutionId}', Agent:SolutionId); omit it");
        }

        IntentRegistration registration;
        try
        {
            registration = registry.Resolve(request.Intent);
        }
        catch (UnknownIntentException ex)
        {
            throw new SubmissionRejectedException(ex.Message);
        }

        // Ids first: another tenant's id answers like an unknown one whatever else is wrong with the request.
        await EnsureTenantOwnsIdsAsync(request, registration, cancellationToken);
        switch (registration.Metadata.Scope)
        {
            case IntentScope.Session when request.SessionId is null:
                throw new SubmissionRejectedException($"intent '{registration.IntentType}' acts on a session: sessionId is required");
            case IntentScope.Tenant when request.SessionId is not null:
                throw new SubmissionRejectedException($"intent '{registration.IntentType}' acts on the whole tenant: omit sessionId");
        }

        if (request.IdempotencyKey is null)
        {
            return new SubmitOutcome(await CreateAsync(request, registration, cancellationToken), true);
        }

        var submitGate = submitGates[(uint)HashCode.Combine(request.TenantId, request.IdempotencyKey) % (uint)submitGates.Length];
        await submitGate.WaitAsync(cancellationToken);
        try
        {
            var existing = await executions.FindByIdempotencyKeyAsync(request.TenantId, request.IdempotencyKey, cancellationToken);
            var outcome = IdempotencyRules.Evaluate(existing, request.TenantId, request.Intent, request.SessionId);
            return outcome.Decision switch
            {
                IdempotencyDecision.ReturnExisting => new SubmitOutcome(active.TryGetValue(outcome.Existing!.Id, out var a) ? a.Record : outcome.Existing, false),
                IdempotencyDecision.Conflict => throw new IdempotencyConflictException(outcome.Reason!),
                _ => new SubmitOutcome(await CreateAsync(request, registration, cancellationToken), true),
            };
        }
        finally
        {
            submitGate.Release();
        }
    }

    /// <summary>
    /// Waits until an execution of the tenant ends (completed, failed, cancelled) or is interrupted, and returns it as it
    /// ended. Cancelling the wait cancels the execution: a caller waits only for work it started (a team member, a
    /// compaction), which has no purpose once the caller stops.
    /// </summary>
    public async Task<ExecutionRecord> WhenEndedAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        var ended = new TaskCompletionSource<ExecutionRecord>(TaskCreationOptions.RunContinuationsAsynchronously);

        // Watch first, read afterwards: an end between the two is then seen, never missed.
        using var subscription = feed.Subscribe(change =>
        {
            if (change.Execution.Id == executionId && HasEnded(change.Execution.Status))
            {
                ended.TrySetResult(change.Execution);
            }
        });
        var now = await FindAsync(tenantId, executionId, CancellationToken.None)
            ?? throw new KeyNotFoundException($"Execution {executionId} does not exist.");
        if (HasEnded(now.Status))
        {
            return now;
        }

        try
        {
            return await ended.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            try
            {
                await CancelAsync(tenantId, executionId, CancellationToken.None);
            }
            catch (ExecutionStateConflictException)
            {
                // It ended on its own in the meantime.
            }

            throw;
        }

        static bool HasEnded(ExecutionStatus status) => ExecutionLifecycle.IsTerminal(status) || status == ExecutionStatus.Interrupted;
    }

    /// <summary>Cancels a created, queued, running or interrupted execution. A queued one is cancelled at once and never starts.</summary>
    public async Task<ExecutionRecord?> CancelAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        var a = await AttachAsync(tenantId, executionId, cancellationToken);
        if (a is null)
        {
            return null;
        }

        await a.Gate.WaitAsync(cancellationToken);
        try
        {
            var status = a.Record.Status;
            if (!ExecutionLifecycle.CanCancel(status))
            {
                throw new ExecutionStateConflictException($"Execution {executionId} is {status}; only created, queued, running or interrupted executions can be cancelled.");
            }

            a.CancelRequested = true;
            if (status == ExecutionStatus.Running)
            {
                // The handler's token fires; the run loop records Cancelled when the handler stops.
                await UpdateAsync(a, r => r with { ProgressMessage = "Cancellation requested; waiting for the handler to stop." }, "execution.cancel_requested", new { }, CancellationToken.None);
                await a.Cancel.CancelAsync();
                return a.Record;
            }

            await TransitionAsync(a, ExecutionStatus.Cancelled, r => r with { ProgressMessage = $"Cancelled while {status.ToString().ToLowerInvariant()}; it never started again.", EndedAt = time.GetUtcNow() },
                "execution.cancelled", new { reason = "cancel requested" }, CancellationToken.None);
            await a.Cancel.CancelAsync();
            if (!running.ContainsKey(executionId))
            {
                Retire(a);
            }

            return a.Record;
        }
        finally
        {
            a.Gate.Release();
        }
    }

    /// <summary>Queues a failed, cancelled or interrupted execution again with a fresh attempt budget.</summary>
    public async Task<ExecutionRecord?> RetryAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        var a = await AttachAsync(tenantId, executionId, cancellationToken);
        if (a is null)
        {
            return null;
        }

        var registration = registry.TryResolve(a.Record.Intent, out var r) ? r : null;
        if (ExecutionLifecycle.CanRetry(a.Record.Status) && running.TryGetValue(executionId, out var windingDown))
        {
            // The run that just failed or was cancelled is returning; let it finish before starting a new one.
            try
            {
                await windingDown.WaitAsync(TimeSpan.FromSeconds(5), time, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Reported below as a conflict.
            }

            a = await AttachAsync(tenantId, executionId, cancellationToken) ?? a;
        }

        await a.Gate.WaitAsync(cancellationToken);
        try
        {
            var status = a.Record.Status;
            if (!ExecutionLifecycle.CanRetry(status))
            {
                throw new ExecutionStateConflictException($"Execution {executionId} is {status}; only failed, cancelled or interrupted executions can be retried.");
            }

            if (registration is null)
            {
                throw new ExecutionStateConflictException($"Execution {executionId} cannot be retried: intent '{a.Record.Intent}' is not registered in this build.");
            }

            if (running.TryGetValue(executionId, out var stillRunning) && !stillRunning.IsCompleted)
            {
                throw new ExecutionStateConflictException($"Execution {executionId} is still winding down; retry in a moment.");
            }

            a.Reset();
            await TransitionAsync(a, ExecutionStatus.Queued, x => x with { ProgressMessage = "Queued: retry requested.", Error = null, EndedAt = null },
                "execution.retry_requested", new { previous = status.ToString() }, CancellationToken.None);
            Start(a, registration, isResume: false);
            return a.Record;
        }
        finally
        {
            a.Gate.Release();
        }
    }

    // ---------------------------------------------------------------- hosting

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.RecoverOnStart)
        {
            LastRecovery = await RecoverAsync(cancellationToken);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        // The host may stop twice (WebApplicationFactory and RunAsync both do); the second time there is nothing left.
        if (Volatile.Read(ref disposed) != 0)
        {
            return;
        }

        // Handlers see cancellation; their records stay as they are, so the next start recovers them like after a crash.
        try
        {
            await stopping.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            return; // disposed between the check above and here: a host stopping twice
        }
        var pending = running.Values.ToArray();
        if (pending.Length > 0)
        {
            try
            {
                await Task.WhenAll(pending).WaitAsync(TimeSpan.FromMilliseconds(options.ShutdownDrainMilliseconds), time, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                logger.LogWarning("{Count} executions did not stop within the drain time; they will be recovered at the next start", running.Count);
            }
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 0)
        {
            stopping.Dispose();
            foreach (var gate in submitGates)
            {
                gate.Dispose();
            }
        }
    }

    // ---------------------------------------------------------------- internals

    /// <summary>
    /// Every id the request carries (its session, and each metadata key the intent or <see cref="CommonIdKeys"/> names)
    /// must be the tenant's, whoever submits it: the route, a page or another intent. Another tenant's id is refused
    /// with the words an unknown id gets, before any execution exists.
    /// </summary>
    private async Task EnsureTenantOwnsIdsAsync(ExecutionRequest request, IntentRegistration registration, CancellationToken cancellationToken)
    {
        if (request.SessionId is { } sessionId && !await ownership.OwnsAsync(request.TenantId, OwnedIdKind.Session, sessionId, cancellationToken))
        {
            throw new SubmissionNotFoundException($"session {sessionId} does not exist");
        }

        foreach (var key in registration.Metadata.OwnedIdKeys)
        {
            foreach (var (place, map) in new[] { ("parameter", request.Parameters), ("metadata", request.Metadata) })
            {
                if (!map.TryGetValue(key.Key, out var raw))
                {
                    continue;
                }

                var kind = OwnedIdKey.Describe(key.Kind);
                if (!Guid.TryParse(raw, out var id) || id == Guid.Empty)
                {
                    throw new SubmissionRejectedException($"{place} '{key.Key}' must be a GUID: the id of the {kind}");
                }

                if (!await ownership.OwnsAsync(request.TenantId, key.Kind, id, cancellationToken))
                {
                    throw new SubmissionNotFoundException($"{kind} {id} does not exist");
                }
            }
        }
    }

    private async Task<ExecutionRecord> CreateAsync(ExecutionRequest request, IntentRegistration registration, CancellationToken cancellationToken)
    {
        admission.EnsureCanQueue(request.TenantId);
        var now = time.GetUtcNow();
        var record = new ExecutionRecord(Guid.NewGuid(), request.TenantId, registration.IntentType, registration.HandlerName, request.SessionId, request.SolutionId ?? options.SolutionId,
            ExecutionStatus.Created, 0, "Created.", 0, null, request.IdempotencyKey, JsonSerializer.Serialize(request.Metadata, Json), now, null, null)
        {
            ParametersJson = JsonSerializer.Serialize(request.Parameters, Json),
        };
        ExecutionLifecycle.EnsureCanTransition(record.Id, ExecutionStatus.Created, ExecutionStatus.Queued);
        var queued = record with { Status = ExecutionStatus.Queued, ProgressMessage = "Queued: waiting for a slot." };

        // Created and queued in one write (the row is stored queued, both WAL rows in order): one commit to wait for before the 202.
        var entries = await journal.WriteAsync(queued, isNew: true,
        [
            Entry(record, WalEntryKind.LifecycleTransition, "execution.created",
                new { to = nameof(ExecutionStatus.Created), intent = record.Intent, handler = record.HandlerName, sessionId = record.SessionId, idempotencyKey = record.IdempotencyKey, parameters = request.Parameters, metadata = request.Metadata }, now),
            Entry(queued, WalEntryKind.LifecycleTransition, "execution.queued", new { from = nameof(ExecutionStatus.Created), to = nameof(ExecutionStatus.Queued), detail = new { } }, now),
        ], cancellationToken);
        feed.Publish(new ExecutionChange(record, entries[0]));
        var a = active.GetOrAdd(record.Id, _ => new ActiveExecution(queued, stopping.Token));
        feed.Publish(new ExecutionChange(queued, entries[1]));
        logger.LogDebug("Execution {ExecutionId} ({Intent}, tenant {TenantId}) Created -> Queued at WAL {Sequence}", queued.Id, queued.Intent, queued.TenantId, entries[1].Sequence);
        await a.Gate.WaitAsync(CancellationToken.None);
        try
        {
            Start(a, registration, isResume: false);
            return a.Record;
        }
        finally
        {
            a.Gate.Release();
        }
    }

    /// <summary>
    /// A child whose parent (metadata <see cref="ParentExecutionKey"/>) is running and waits for it, as a team member's
    /// coordinator does, runs in the parent's slot: a tree counts as one execution against the caps. A parent that
    /// held its slot while its children queued for slots of their own would stall a deep or wide tree (with a
    /// tenant cap of 1, a single delegation) until it timed out. A child whose parent is not running (resumed
    /// after a restart) queues for a slot like any other execution.
    /// </summary>
    private bool RunsInParentSlot(ExecutionRecord record, IntentRegistration registration)
    {
        if (!registration.Metadata.RunsInParentSlot)
        {
            return false;
        }

        var metadata = JsonSerializer.Deserialize<Dictionary<string, string>>(record.MetadataJson, Json);
        return metadata is not null
            && metadata.TryGetValue(ParentExecutionKey, out var value)
            && Guid.TryParse(value, out var parentId)
            && active.TryGetValue(parentId, out var parent)
            && parent.Record.TenantId == record.TenantId
            && parent.Record.Status == ExecutionStatus.Running;
    }

    private void Start(ActiveExecution a, IntentRegistration registration, bool isResume)
    {
        var task = Task.Run(() => RunAsync(a, registration, isResume));
        running[a.Record.Id] = task;
        _ = task.ContinueWith(_ => running.TryRemove(new KeyValuePair<Guid, Task>(a.Record.Id, task)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task RunAsync(ActiveExecution a, IntentRegistration registration, bool isResume)
    {
        var policy = registration.Metadata.Policy;
        var schedule = new BackoffSchedule(policy.Backoff, new LockedRandom(jitter, jitterGate).Next(), time);
        using var scope = logger.BeginScope(new Dictionary<string, object?>
        {
            ["ExecutionId"] = a.Record.Id,
            ["Intent"] = a.Record.Intent,
            ["TenantId"] = a.Record.TenantId,
            ["SessionId"] = a.Record.SessionId,
        });
        try
        {
            while (true)
            {
                AdmissionLease lease;
                try
                {
                    lease = RunsInParentSlot(a.Record, registration)
                        ? AdmissionLease.InParentSlot
                        : await admission.AcquireAsync(a.Record.TenantId, reason => QueuedBecauseAsync(a, reason), a.Cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    await SettleCancelledAsync(a);
                    return;
                }

                Outcome outcome;
                var retryDelay = TimeSpan.Zero;
                using (lease)
                {
                    int attempt;
                    await a.Gate.WaitAsync(CancellationToken.None);
                    try
                    {
                        if (a.Record.Status != ExecutionStatus.Queued || a.CancelRequested || stopping.IsCancellationRequested)
                        {
                            // Cancelled while queued (already recorded) or the host is stopping: never start.
                            if (a.Record.Status == ExecutionStatus.Cancelled)
                            {
                                Retire(a);
                            }

                            return;
                        }

                        attempt = ++a.RunAttempts;
                        var now = time.GetUtcNow();
                        await TransitionAsync(a, ExecutionStatus.Running,
                            r => r with { Attempts = r.Attempts + 1, StartedAt = r.StartedAt ?? now, ProgressMessage = attempt == 1 ? "Running." : $"Running attempt {attempt} of {policy.MaxAttempts}." },
                            "execution.started", new { attempt, of = policy.MaxAttempts, resume = isResume }, CancellationToken.None);
                    }
                    finally
                    {
                        a.Gate.Release();
                    }

                    // The handler sees the execution's total attempt number (retries and restarts included).
                    outcome = await InvokeAsync(a, registration, a.Record.Attempts, isResume);
                }

                if (outcome.Kind == OutcomeKind.Stopped || (stopping.IsCancellationRequested && outcome.Kind != OutcomeKind.Completed))
                {
                    return;
                }

                await a.Gate.WaitAsync(CancellationToken.None);
                try
                {
                    switch (outcome.Kind)
                    {
                        case OutcomeKind.Completed:
                            try
                            {
                                await CompleteAsync(a, registration, outcome.Result!);
                            }
                            catch (Exception ex) when (ex is ArtifactRuleException or JsonException or ArgumentException)
                            {
                                // What the handler returned cannot be recorded: the execution fails with the reason, it does not hang.
                                await TransitionAsync(a, ExecutionStatus.Failed, r => r with { Error = $"The handler's result was refused: {ex.Message}", ProgressMessage = "Failed: the handler's result was refused.", EndedAt = time.GetUtcNow() },
                                    "execution.failed", new { error = ex.Message, permanent = true, attempts = a.RunAttempts }, CancellationToken.None);
                            }

                            Retire(a);
                            return;
                        case OutcomeKind.Cancelled:
                            await TransitionAsync(a, ExecutionStatus.Cancelled, r => r with { ProgressMessage = "Cancelled while running.", EndedAt = time.GetUtcNow() },
                                "execution.cancelled", new { reason = "cancel requested" }, CancellationToken.None);
                            Retire(a);
                            return;
                        case OutcomeKind.Failed when !outcome.Permanent && a.RunAttempts < policy.MaxAttempts && !a.CancelRequested:
                            var delay = schedule.DelayAfter(a.RunAttempts);
                            var due = time.GetUtcNow() + delay;
                            retryDelay = delay;
                            await TransitionAsync(a, ExecutionStatus.Queued,
                                r => r with { Error = outcome.Error, ProgressMessage = $"Attempt {a.RunAttempts} of {policy.MaxAttempts} failed: {outcome.Error} Retrying in {delay.TotalMilliseconds:0} ms." },
                                "execution.retry_scheduled", new { failedAttempt = a.RunAttempts, error = outcome.Error, delayMs = (long)delay.TotalMilliseconds, dueAt = due }, CancellationToken.None);
                            break;
                        default:
                            var reason = outcome.Permanent || a.RunAttempts >= policy.MaxAttempts
                                ? $"Failed after {a.RunAttempts} attempt{(a.RunAttempts == 1 ? "" : "s")}: {outcome.Error}"
                                : $"Failed: {outcome.Error}";
                            await TransitionAsync(a, ExecutionStatus.Failed, r => r with { Error = outcome.Error, ProgressMessage = reason, EndedAt = time.GetUtcNow() },
                                "execution.failed", new { error = outcome.Error, permanent = outcome.Permanent, attempts = a.RunAttempts }, CancellationToken.None);
                            Retire(a);
                            return;
                    }
                }
                finally
                {
                    a.Gate.Release();
                }

                try
                {
                    await Task.Delay(retryDelay, time, a.Cancel.Token);
                }
                catch (OperationCanceledException)
                {
                    await SettleCancelledAsync(a);
                    return;
                }
            }
        }
        catch (Exception ex) when (stopping.IsCancellationRequested)
        {
            logger.LogDebug(ex, "Execution {ExecutionId} stopped with the host", a.Record.Id);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "The runtime failed while running execution {ExecutionId}", a.Record.Id);
            await FailAfterRuntimeErrorAsync(a, ex);
        }
    }

    /// <summary>Best effort: a running execution whose bookkeeping failed is marked failed rather than left running.</summary>
    private async Task FailAfterRuntimeErrorAsync(ActiveExecution a, Exception error)
    {
        try
        {
            await a.Gate.WaitAsync(CancellationToken.None);
            try
            {
                if (a.Record.Status == ExecutionStatus.Running)
                {
                    await TransitionAsync(a, ExecutionStatus.Failed, r => r with { Error = $"Runtime error: {error.Message}", ProgressMessage = "Failed: the runtime could not record this execution's progress.", EndedAt = time.GetUtcNow() },
                        "execution.failed", new { error = error.Message, permanent = true }, CancellationToken.None);
                    Retire(a);
                }
            }
            finally
            {
                a.Gate.Release();
            }
        }
        catch (Exception again)
        {
            // The store itself is failing; the next start recovers this execution as interrupted.
            logger.LogError(again, "Could not mark execution {ExecutionId} failed", a.Record.Id);
        }
    }

    /// <summary>One attempt of the handler, as an OpenTelemetry span with a count and a duration by intent and outcome.</summary>
    private async Task<Outcome> InvokeAsync(ActiveExecution a, IntentRegistration registration, int attempt, bool isResume)
    {
        using var activity = instrumentation?.Source.StartActivity($"execution {a.Record.Intent}", System.Diagnostics.ActivityKind.Internal);
        activity?.SetTag("agent.execution.id", a.Record.Id.ToString());
        activity?.SetTag("agent.intent", a.Record.Intent);
        activity?.SetTag("agent.tenant.id", a.Record.TenantId);
        activity?.SetTag("agent.execution.attempt", attempt);
        var started = time.GetTimestamp();
        var outcome = await InvokeCoreAsync(a, registration, attempt, isResume);
        var kind = outcome.Kind.ToString().ToLowerInvariant();
        activity?.SetTag("agent.execution.outcome", kind);
        if (outcome.Kind == OutcomeKind.Failed)
        {
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcome.Error);
        }

        if (instrumentation is not null)
        {
            var tags = new System.Diagnostics.TagList { { "agent.intent", a.Record.Intent }, { "agent.execution.outcome", kind } };
            instrumentation.Executions.Add(1, tags);
            instrumentation.ExecutionDuration.Record(time.GetElapsedTime(started).TotalSeconds, tags);
        }

        return outcome;
    }

    private async Task<Outcome> InvokeCoreAsync(ActiveExecution a, IntentRegistration registration, int attempt, bool isResume)
    {
        var policy = registration.Metadata.Policy;
        using var timeout = new CancellationTokenSource(policy.Timeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(a.Cancel.Token, timeout.Token);
        try
        {
            var record = a.Record;
            var context = ExecutionContext.Create(record.Id, IntentOf(record), record.TenantId, record.SessionId, record.SolutionId ?? options.SolutionId, state.For(record),
                new ExecutionWalAppender(this, a), IntentOf(record).Metadata, record.CreatedAt, new ExecutionProgress(this, a), attempt, isResume);
            var result = await registration.Handler.HandleAsync(context, linked.Token).WaitAsync(linked.Token);
            return new Outcome(OutcomeKind.Completed, result, null, false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return new Outcome(OutcomeKind.Stopped, null, null, false);
        }
        catch (OperationCanceledException) when (a.CancelRequested)
        {
            return new Outcome(OutcomeKind.Cancelled, null, null, false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new Outcome(OutcomeKind.Failed, null, $"Timed out after {policy.Timeout.TotalMilliseconds:0} ms (intent timeout).", false);
        }
        catch (PermanentIntentFailureException ex)
        {
            return new Outcome(OutcomeKind.Failed, null, ex.Message, true);
        }
        catch (ExecutionContextValidationException ex)
        {
            return new Outcome(OutcomeKind.Failed, null, ex.Message, true);
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            // Whatever the handler threw while the host stops (a closed store, a cancelled call), the record is left for recovery.
            return new Outcome(OutcomeKind.Stopped, null, null, false);
        }
        catch (Exception ex)
        {
            // The record's error is shown to the person and over the API: the message only; the type goes to the log.
            logger.LogWarning(ex, "Execution {ExecutionId} ({Intent}) attempt failed", a.Record.Id, a.Record.Intent);
            return new Outcome(OutcomeKind.Failed, null, ex.Message, false);
        }
    }

    private async Task CompleteAsync(ActiveExecution a, IntentRegistration registration, IntentResult result)
    {
        var record = a.Record;
        var produced = new List<Guid>();
        foreach (var draft in result.Artifacts)
        {
            var artifact = await artifacts.CreateAsync(record.TenantId, registration.IntentType, record.Id, draft, CancellationToken.None);
            produced.Add(artifact.Id);
        }

        foreach (var domainEvent in result.Events)
        {
            var entry = await wal.AppendAsync(Entry(record, WalEntryKind.DomainEvent, domainEvent.EventType, JsonDocument.Parse(domainEvent.PayloadJson).RootElement, time.GetUtcNow()), CancellationToken.None);
            feed.Publish(new ExecutionChange(record, entry));
        }

        await TransitionAsync(a, ExecutionStatus.Completed, r => r with { Progress = 1, Error = null, ProgressMessage = "Completed.", EndedAt = time.GetUtcNow() },
            "execution.completed", new { artifacts = produced, events = result.Events.Count, attempts = a.RunAttempts }, CancellationToken.None);
    }

    private async Task QueuedBecauseAsync(ActiveExecution a, string reason)
    {
        await a.Gate.WaitAsync(CancellationToken.None);
        try
        {
            if (a.Record.Status == ExecutionStatus.Queued && a.Record.ProgressMessage != reason)
            {
                await UpdateAsync(a, r => r with { ProgressMessage = reason }, "execution.waiting_for_cap", new { reason }, CancellationToken.None);
            }
        }
        finally
        {
            a.Gate.Release();
        }
    }

    private async Task SettleCancelledAsync(ActiveExecution a)
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await a.Gate.WaitAsync(CancellationToken.None);
        try
        {
            if (a.Record.Status is ExecutionStatus.Queued or ExecutionStatus.Running)
            {
                await TransitionAsync(a, ExecutionStatus.Cancelled, r => r with { ProgressMessage = "Cancelled.", EndedAt = time.GetUtcNow() },
                    "execution.cancelled", new { reason = "cancel requested" }, CancellationToken.None);
            }

            Retire(a);
        }
        finally
        {
            a.Gate.Release();
        }
    }

    /// <summary>Finds the execution of the tenant and returns its live slot, loading it from the store when it is not active.</summary>
    private async Task<ActiveExecution?> AttachAsync(string tenantId, Guid executionId, CancellationToken cancellationToken)
    {
        if (active.TryGetValue(executionId, out var existing))
        {
            return existing.Record.TenantId == tenantId ? existing : null;
        }

        var record = await executions.FindAsync(tenantId, executionId, cancellationToken);
        return record is null ? null : active.GetOrAdd(executionId, _ => new ActiveExecution(record, stopping.Token));
    }

    private void Retire(ActiveExecution a)
    {
        if (ExecutionLifecycle.IsTerminal(a.Record.Status) || a.Record.Status == ExecutionStatus.Interrupted)
        {
            active.TryRemove(new KeyValuePair<Guid, ActiveExecution>(a.Record.Id, a));

            // Unregisters the link to the host's stopping token, so finished executions leave nothing behind.
            a.Cancel.Dispose();
        }
    }

    /// <summary>Moves the execution to <paramref name="to"/> and writes the record with its WAL entry in one transaction. Caller holds the gate.</summary>
    private async Task TransitionAsync(ActiveExecution a, ExecutionStatus to, Func<ExecutionRecord, ExecutionRecord> change, string eventType, object payload, CancellationToken cancellationToken)
    {
        var from = a.Record.Status;
        ExecutionLifecycle.EnsureCanTransition(a.Record.Id, from, to);
        var updated = change(a.Record with { Status = to });
        var entry = await journal.UpdateAsync(updated, Entry(updated, WalEntryKind.LifecycleTransition, eventType, new { from = from.ToString(), to = to.ToString(), detail = payload }, time.GetUtcNow()), cancellationToken);
        a.Record = updated;
        feed.Publish(new ExecutionChange(updated, entry));
        logger.Log(to is ExecutionStatus.Failed ? LogLevel.Warning : to is ExecutionStatus.Cancelled or ExecutionStatus.Completed ? LogLevel.Information : LogLevel.Debug,
            "Execution {ExecutionId} ({Intent}, tenant {TenantId}) {From} -> {To} at WAL {Sequence}: {Message}",
            updated.Id, updated.Intent, updated.TenantId, from, to, entry.Sequence, updated.Error ?? updated.ProgressMessage);
    }

    /// <summary>Changes the record without a status change (progress, queue reason) and logs a domain event. Caller holds the gate.</summary>
    private async Task UpdateAsync(ActiveExecution a, Func<ExecutionRecord, ExecutionRecord> change, string eventType, object payload, CancellationToken cancellationToken)
    {
        var updated = change(a.Record) with { Status = a.Record.Status };
        var entry = await journal.UpdateAsync(updated, Entry(updated, WalEntryKind.DomainEvent, eventType, payload, time.GetUtcNow()), cancellationToken);
        a.Record = updated;
        feed.Publish(new ExecutionChange(updated, entry));
    }

    private static WalEntry Entry(ExecutionRecord record, WalEntryKind kind, string eventType, object payload, DateTimeOffset at) =>
        new(0, record.TenantId, record.Id, kind, eventType, JsonSerializer.Serialize(payload, Json), at);

    private async Task ReportProgressAsync(ActiveExecution a, double fraction, string? message, CancellationToken cancellationToken)
    {
        var clamped = double.IsNaN(fraction) ? 0 : Math.Clamp(fraction, 0, 1);
        await a.Gate.WaitAsync(cancellationToken);
        try
        {
            if (a.Record.Status != ExecutionStatus.Running || a.CancelRequested)
            {
                return;
            }

            await UpdateAsync(a, r => r with { Progress = clamped, ProgressMessage = message ?? r.ProgressMessage }, "execution.progress", new { progress = clamped, message }, cancellationToken);
        }
        finally
        {
            a.Gate.Release();
        }
    }

    private async Task<long> AppendDomainEventAsync(ActiveExecution a, string eventType, string payloadJson, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(eventType) || eventType.StartsWith("execution.", StringComparison.Ordinal))
        {
            throw new ArgumentException("A handler's event type must be set and must not use the runtime's 'execution.' prefix.", nameof(eventType));
        }

        using var payload = JsonDocument.Parse(payloadJson);
        var record = a.Record;
        var entry = await wal.AppendAsync(Entry(record, WalEntryKind.DomainEvent, eventType, payload.RootElement, time.GetUtcNow()), cancellationToken);
        feed.Publish(new ExecutionChange(record, entry));
        return entry.Sequence;
    }
}
