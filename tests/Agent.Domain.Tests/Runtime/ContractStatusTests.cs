using Agent.Domain.Runtime;

namespace Agent.Domain.Tests.Runtime;

public sealed class ContractStatusTests
{
    [Theory]
    [InlineData(ExecutionStatus.Created, false, "created", null, false)]
    [InlineData(ExecutionStatus.Queued, false, "created", "queued", false)]
    [InlineData(ExecutionStatus.Running, false, "running", null, false)]
    [InlineData(ExecutionStatus.Running, true, "running", "awaiting_approval", false)]
    [InlineData(ExecutionStatus.Completed, false, "completed", null, true)]
    [InlineData(ExecutionStatus.Failed, false, "failed", null, true)]
    [InlineData(ExecutionStatus.Cancelled, false, "cancelled", null, true)]
    [InlineData(ExecutionStatus.Interrupted, false, "failed", "interrupted", true)]
    public void Every_stored_status_maps_to_the_contracts_name_and_our_sub_status(ExecutionStatus stored, bool awaitingApproval, string status, string? subStatus, bool ended)
    {
        var contract = ContractStatus.Of(stored, awaitingApproval);
        Assert.Equal(status, contract.Status);
        Assert.Equal(subStatus, contract.SubStatus);
        Assert.Equal(ended, contract.HasEnded);
    }

    [Theory]
    [InlineData(ExecutionStatus.Created)]
    [InlineData(ExecutionStatus.Queued)]
    [InlineData(ExecutionStatus.Completed)]
    [InlineData(ExecutionStatus.Failed)]
    [InlineData(ExecutionStatus.Cancelled)]
    [InlineData(ExecutionStatus.Interrupted)]
    public void A_pending_approval_only_shows_while_running(ExecutionStatus stored) =>
        Assert.Equal(ContractStatus.Of(stored), ContractStatus.Of(stored, awaitingApproval: true));

    [Fact]
    public void Every_status_there_is_maps_into_the_contracts_five_names()
    {
        string[] contract = ["created", "running", "completed", "failed", "cancelled"];
        string?[] ours = [null, "queued", "awaiting_approval", "interrupted"];
        foreach (var stored in Enum.GetValues<ExecutionStatus>())
        {
            foreach (var awaiting in new[] { false, true })
            {
                var mapped = ContractStatus.Of(stored, awaiting);
                Assert.Contains(mapped.Status, contract);
                Assert.Contains(mapped.SubStatus, ours);
            }
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => ContractStatus.Of((ExecutionStatus)99));
    }

    [Theory]
    [InlineData(ArtifactLifecycle.Pending, "PENDING")]
    [InlineData(ArtifactLifecycle.Ready, "READY")]
    [InlineData(ArtifactLifecycle.Failed, "FAILED")]
    [InlineData(ArtifactLifecycle.Archived, "ARCHIVED")]
    [InlineData(ArtifactLifecycle.Deleted, "DELETED")]
    public void Artifact_lifecycles_have_the_contracts_upper_case_names_and_read_back_in_any_case(ArtifactLifecycle lifecycle, string name)
    {
        Assert.Equal(name, ArtifactLifecycleNames.Of(lifecycle));
        foreach (var spelled in new[] { name, name.ToLowerInvariant(), lifecycle.ToString(), $" {name} " })
        {
            Assert.True(ArtifactLifecycleNames.TryParse(spelled, out var read), spelled);
            Assert.Equal(lifecycle, read);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("Shiny")]
    [InlineData("READY,FAILED")]
    public void Anything_else_is_no_artifact_lifecycle(string? name) => Assert.False(ArtifactLifecycleNames.TryParse(name, out _));
}
