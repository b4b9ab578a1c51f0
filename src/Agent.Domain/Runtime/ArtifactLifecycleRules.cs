namespace Agent.Domain.Runtime;

/// <summary>Artifact lifecycle: PENDING -> READY | FAILED; READY <-> ARCHIVED; anything but DELETED -> DELETED.</summary>
public static class ArtifactLifecycleRules
{
    public static bool CanTransition(ArtifactLifecycle from, ArtifactLifecycle to) => (from, to) switch
    {
        (ArtifactLifecycle.Pending, ArtifactLifecycle.Ready or ArtifactLifecycle.Failed or ArtifactLifecycle.Deleted) => true,
        (ArtifactLifecycle.Ready, ArtifactLifecycle.Archived or ArtifactLifecycle.Deleted) => true,
        (ArtifactLifecycle.Archived, ArtifactLifecycle.Ready or ArtifactLifecycle.Deleted) => true,
        (ArtifactLifecycle.Failed, ArtifactLifecycle.Deleted) => true,
        _ => false,
    };
}
