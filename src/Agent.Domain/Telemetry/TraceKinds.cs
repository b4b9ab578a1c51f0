namespace Agent.Domain.Telemetry;

/// <summary>The kinds of <see cref="TraceEvent"/> a run's timeline shows; any other kind is shown by its name.</summary>
public static class TraceKinds
{
    /// <summary>One request to the model: duration, time to first token, attempts, usage (reported or estimated), outcome.</summary>
    public const string ProviderCall = "provider_call";

    /// <summary>One tool call: duration, outcome (ok, error, timeout, denied, refused) and who approved it.</summary>
    public const string ToolCall = "tool_call";

    /// <summary>The wait for a person's decision on a tool call.</summary>
    public const string Approval = "approval";

    /// <summary>A compaction of the session's context (written by the context builder when it compacts).</summary>
    public const string Compaction = "compaction";

    /// <summary>One stage of a turn before its model call (admission, each context read, the tools), timed by the turn.</summary>
    public const string TurnStage = "turn_stage";
}
