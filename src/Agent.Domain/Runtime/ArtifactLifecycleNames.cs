namespace Agent.Domain.Runtime;

/// <summary>The artifact contract's lifecycle names: PENDING, READY, FAILED, ARCHIVED, DELETED (upper case, as the contract writes them).</summary>
public static class ArtifactLifecycleNames
{
    /// <summary>Every name, in lifecycle order (for messages that list what is allowed).</summary>
    public static IReadOnlyList<string> All { get; } = [.. Enum.GetValues<ArtifactLifecycle>().Select(Of)];

    public static string Of(ArtifactLifecycle lifecycle) => lifecycle switch
    {
        ArtifactLifecycle.Pending => "PENDING",
        ArtifactLifecycle.Ready => "READY",
        ArtifactLifecycle.Failed => "FAILED",
        ArtifactLifecycle.Archived => "ARCHIVED",
        ArtifactLifecycle.Deleted => "DELETED",
        _ => throw new ArgumentOutOfRangeException(nameof(lifecycle), lifecycle, "Not an artifact lifecycle."),
    };

    /// <summary>
    /// Reads a lifecycle name in any case: the contract's READY, and Ready as clients written before the contract sent
    /// it. Numbers are refused (an enum's number is no name).
    /// </summary>
    public static bool TryParse(string? name, out ArtifactLifecycle lifecycle)
    {
        lifecycle = default;
        if (string.IsNullOrWhiteSpace(name))
        {
            return false;
        }

        foreach (var candidate in Enum.GetValues<ArtifactLifecycle>())
        {
            if (string.Equals(Of(candidate), name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                lifecycle = candidate;
                return true;
            }
        }

        return false;
    }
}
