using Agent.Domain.Runtime;

namespace Agent.Domain.Tests.Runtime;

public sealed class ExecutionLifecycleTests
{
    [Theory]
    [InlineData(ExecutionStatus.Created, ExecutionStatus.Queued)]
    [InlineData(ExecutionStatus.Queued, ExecutionStatus.Running)]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Completed)]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Failed)]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Cancelled)]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Interrupted)]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Queued)]
    [InlineData(ExecutionStatus.Interrupted, ExecutionStatus.Queued)]
    [InlineData(ExecutionStatus.Queued, ExecutionStatus.Cancelled)]
    [InlineData(ExecutionStatus.Queued, ExecutionStatus.Interrupted)]
    [InlineData(ExecutionStatus.Created, ExecutionStatus.Interrupted)]
    [InlineData(ExecutionStatus.Failed, ExecutionStatus.Queued)]
    [InlineData(ExecutionStatus.Cancelled, ExecutionStatus.Queued)]
    public void Legal_transitions_are_allowed(ExecutionStatus from, ExecutionStatus to)
    {
        Assert.True(ExecutionLifecycle.CanTransition(from, to));
        ExecutionLifecycle.EnsureCanTransition(Guid.NewGuid(), from, to);
    }

    [Theory]
    [InlineData(ExecutionStatus.Created, ExecutionStatus.Running)]
    [InlineData(ExecutionStatus.Created, ExecutionStatus.Completed)]
    [InlineData(ExecutionStatus.Queued, ExecutionStatus.Completed)]
    [InlineData(ExecutionStatus.Completed, ExecutionStatus.Queued)]
    [InlineData(ExecutionStatus.Completed, ExecutionStatus.Running)]
    [InlineData(ExecutionStatus.Failed, ExecutionStatus.Running)]
    [InlineData(ExecutionStatus.Cancelled, ExecutionStatus.Completed)]
    [InlineData(ExecutionStatus.Interrupted, ExecutionStatus.Running)]
    [InlineData(ExecutionStatus.Interrupted, ExecutionStatus.Completed)]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Created)]
    [InlineData(ExecutionStatus.Running, ExecutionStatus.Running)]
    public void Illegal_transitions_are_rejected_with_both_states_named(ExecutionStatus from, ExecutionStatus to)
    {
        Assert.False(ExecutionLifecycle.CanTransition(from, to));
        var id = Guid.NewGuid();
        var ex = Assert.Throws<IllegalTransitionException>(() => ExecutionLifecycle.EnsureCanTransition(id, from, to));
        Assert.Contains(from.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains(to.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Equal(id, ex.ExecutionId);
    }

    [Fact]
    public void Every_status_has_a_rule_and_completed_is_final()
    {
        foreach (var to in Enum.GetValues<ExecutionStatus>())
        {
            Assert.False(ExecutionLifecycle.CanTransition(ExecutionStatus.Completed, to));
        }

        Assert.True(ExecutionLifecycle.IsTerminal(ExecutionStatus.Completed));
        Assert.True(ExecutionLifecycle.IsTerminal(ExecutionStatus.Failed));
        Assert.True(ExecutionLifecycle.IsTerminal(ExecutionStatus.Cancelled));
        Assert.False(ExecutionLifecycle.IsTerminal(ExecutionStatus.Interrupted));
        Assert.Equal([ExecutionStatus.Created, ExecutionStatus.Queued, ExecutionStatus.Running], ExecutionLifecycle.InFlight);
    }

    [Fact]
    public void Cancel_and_retry_are_offered_only_where_they_apply()
    {
        Assert.True(ExecutionLifecycle.CanCancel(ExecutionStatus.Queued));
        Assert.True(ExecutionLifecycle.CanCancel(ExecutionStatus.Running));
        Assert.False(ExecutionLifecycle.CanCancel(ExecutionStatus.Completed));
        Assert.True(ExecutionLifecycle.CanRetry(ExecutionStatus.Failed));
        Assert.True(ExecutionLifecycle.CanRetry(ExecutionStatus.Interrupted));
        Assert.False(ExecutionLifecycle.CanRetry(ExecutionStatus.Running));
        Assert.False(ExecutionLifecycle.CanRetry(ExecutionStatus.Completed));
    }

    [Fact]
    public void Artifact_lifecycle_rules()
    {
        Assert.True(ArtifactLifecycleRules.CanTransition(ArtifactLifecycle.Pending, ArtifactLifecycle.Ready));
        Assert.True(ArtifactLifecycleRules.CanTransition(ArtifactLifecycle.Ready, ArtifactLifecycle.Archived));
        Assert.True(ArtifactLifecycleRules.CanTransition(ArtifactLifecycle.Archived, ArtifactLifecycle.Ready));
        Assert.False(ArtifactLifecycleRules.CanTransition(ArtifactLifecycle.Deleted, ArtifactLifecycle.Ready));
        Assert.False(ArtifactLifecycleRules.CanTransition(ArtifactLifecycle.Failed, ArtifactLifecycle.Ready));
    }
}
