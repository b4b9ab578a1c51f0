using Agent.Domain.Runtime;
using ExecutionContext = Agent.Domain.Runtime.ExecutionContext;

namespace Agent.Domain.Tests.Runtime;

public sealed class ExecutionContextTests
{
    private const string Tenant = "local";
    private static readonly DateTimeOffset Created = new(2026, 11, 22, 2, 0, 0, TimeSpan.Zero);
    private readonly Guid id = Guid.NewGuid();
    private readonly Guid session = Guid.NewGuid();

    private StateSurface State(Guid? sessionId = null, string tenant = Tenant, Guid? executionId = null) =>
        new(new FakeScope(StateScopes.Execution(tenant, executionId ?? id)), sessionId is { } s ? new FakeScope(StateScopes.Session(tenant, s)) : null);

    private const string Solution = "personal-agent-chat";

    private ExecutionContext Create(
        Guid? executionId = null, string? intent = "demo", string? tenant = Tenant, Guid? sessionId = null, string? solution = Solution,
        StateSurface? state = null, bool nullState = false, IWalAppender? wal = null, bool nullWal = false,
        IReadOnlyDictionary<string, string>? metadata = null, bool nullMetadata = false, DateTimeOffset? created = null, bool nullProgress = false,
        Intent? intentObject = null) =>
        ExecutionContext.Create(
            executionId ?? id,
            intentObject ?? (intent is null ? null : new Intent(intent, tenant ?? "", sessionId, solution ?? "", new Dictionary<string, string> { ["p"] = "1" }, metadata ?? new Dictionary<string, string>())),
            tenant, sessionId, solution,
            nullState ? null : state ?? State(sessionId),
            nullWal ? null : wal ?? new FakeWal(executionId ?? id, tenant ?? Tenant),
            nullMetadata ? null : metadata ?? new Dictionary<string, string>(),
            created ?? Created,
            nullProgress ? null : new NullProgress());

    [Fact]
    public void A_complete_context_is_built()
    {
        var context = Create(sessionId: session, metadata: new Dictionary<string, string> { ["steps"] = "3" });
        Assert.Equal(id, context.ExecutionId);
        Assert.Equal(session, context.SessionId);
        Assert.Equal("3", context.MetadataValue("steps"));
        Assert.Equal("demo", context.IntentType);
        Assert.Equal("1", context.ParameterValue("p"));
        Assert.Equal("3", context.ParameterValue("steps")); // a request from before parameters existed named them in the metadata
        Assert.Equal(Solution, context.SolutionId);
        Assert.Equal(StateScopes.Session(Tenant, session), context.State.Session!.Scope);
        Assert.Equal($"session:local:{session:D}", context.State.Session.Scope);
        Assert.Equal(1, context.Attempt);
    }

    public static TheoryData<string, string> MissingFields => new()
    {
        { "execution_id", "empty id" },
        { "intent", "missing" },
        { "tenant_id", "missing" },
        { "session_id", "empty" },
        { "solution_id", "missing" },
        { "state", "missing" },
        { "wal", "missing" },
        { "metadata", "missing" },
        { "created_at", "missing" },
        { "progress", "missing" },
    };

    [Theory]
    [MemberData(nameof(MissingFields))]
    public void A_missing_field_is_named(string field, string problem)
    {
        var ex = Assert.Throws<ExecutionContextValidationException>(() => field switch
        {
            "execution_id" => Create(executionId: Guid.Empty, state: State(executionId: Guid.Empty), wal: new FakeWal(Guid.Empty, Tenant)),
            "intent" => Create(intent: " "),
            "tenant_id" => Create(tenant: ""),
            "session_id" => Create(sessionId: Guid.Empty, state: State()),
            "solution_id" => Create(solution: "  "),
            "state" => Create(nullState: true),
            "wal" => Create(nullWal: true),
            "metadata" => Create(nullMetadata: true),
            "created_at" => Create(created: default(DateTimeOffset)),
            _ => Create(nullProgress: true),
        });
        Assert.Equal(field, ex.Field);
        Assert.Contains($"'{field}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void State_of_another_execution_is_inconsistent()
    {
        var ex = Assert.Throws<ExecutionContextValidationException>(() => Create(state: State(executionId: Guid.NewGuid())));
        Assert.Equal("state", ex.Field);
    }

    [Fact]
    public void State_of_another_tenant_is_inconsistent()
    {
        var ex = Assert.Throws<ExecutionContextValidationException>(() => Create(state: State(tenant: "other")));
        Assert.Equal("state", ex.Field);
    }

    [Fact]
    public void Session_scope_must_match_session_id()
    {
        Assert.Equal("state", Assert.Throws<ExecutionContextValidationException>(() => Create(sessionId: session, state: State(Guid.NewGuid()))).Field);
        Assert.Equal("state", Assert.Throws<ExecutionContextValidationException>(() => Create(sessionId: session, state: State())).Field);
        Assert.Equal("state", Assert.Throws<ExecutionContextValidationException>(() => Create(state: State(session))).Field);
    }

    [Fact]
    public void Wal_bound_to_another_execution_is_inconsistent()
    {
        var ex = Assert.Throws<ExecutionContextValidationException>(() => Create(wal: new FakeWal(Guid.NewGuid(), Tenant)));
        Assert.Equal("wal", ex.Field);
        Assert.Equal("wal", Assert.Throws<ExecutionContextValidationException>(() => Create(wal: new FakeWal(id, "other"))).Field);
    }

    [Fact]
    public void Blank_metadata_key_is_refused()
    {
        var ex = Assert.Throws<ExecutionContextValidationException>(() => Create(metadata: new Dictionary<string, string> { [" "] = "x" }));
        Assert.Equal("metadata", ex.Field);
    }

    [Fact]
    public void An_intent_that_names_another_tenant_session_or_solution_is_inconsistent()
    {
        Intent Of(string tenant = Tenant, Guid? sessionId = null, string solution = Solution) => new("demo", tenant, sessionId, solution, new Dictionary<string, string>(), new Dictionary<string, string>());

        Assert.Contains("tenant 'other'", Assert.Throws<ExecutionContextValidationException>(() => Create(intentObject: Of(tenant: "other"))).Message, StringComparison.Ordinal);
        Assert.Equal("intent", Assert.Throws<ExecutionContextValidationException>(() => Create(sessionId: session, intentObject: Of())).Field);
        Assert.Equal("intent", Assert.Throws<ExecutionContextValidationException>(() => Create(intentObject: Of(sessionId: session))).Field);
        Assert.Equal("intent", Assert.Throws<ExecutionContextValidationException>(() => Create(intentObject: Of(solution: "another-app"))).Field);
        Assert.Equal("intent", Assert.Throws<ExecutionContextValidationException>(() => Create(intentObject: Of() with { Parameters = null! })).Field);
    }
}
