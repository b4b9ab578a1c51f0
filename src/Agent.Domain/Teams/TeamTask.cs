using Agent.Domain.Sessions;

namespace Agent.Domain.Teams;

/// <summary>
/// One sub-task a coordinator (or a member) handed to a team member through ask_agent: the member's run_team_task
/// execution (<see cref="ExecutionId"/>), where it sits in the run tree, the member's messages and what it spent.
/// The execution record stays the source of truth for the status; this row holds what the tree and the
/// member's transcript need besides. Written before the execution is submitted (its id is in the execution's
/// metadata), so the handler always finds it.
/// </summary>
public sealed record TeamTask
{
    public required Guid Id { get; init; }

    /// <summary>The member's run_team_task execution; null only between writing the row and submitting the execution.</summary>
    public Guid? ExecutionId { get; init; }

    public required string TenantId { get; init; }

    /// <summary>The chat session the person works in (approvals of the member's tool calls surface there).</summary>
    public required Guid SessionId { get; init; }

    /// <summary>The send_message execution of the chat turn the tree hangs from.</summary>
    public required Guid RootExecutionId { get; init; }

    /// <summary>The execution whose agent called ask_agent: the root turn or another member's task.</summary>
    public required Guid ParentExecutionId { get; init; }

    /// <summary>The chat reply whose turn started the tree (its tool cards show this task).</summary>
    public required Guid ReplyMessageId { get; init; }

    /// <summary>The ask_agent call of the parent this task answers.</summary>
    public required string CallId { get; init; }

    public required string TeamId { get; init; }

    public required string AgentId { get; init; }

    public required string AgentName { get; init; }

    public required string Task { get; init; }

    /// <summary>1 for a task the coordinator asked for; 2 for one a member asked for; ...</summary>
    public required int Depth { get; init; }

    /// <summary>The member's reply as it streams and ends: text and its own tool calls and results.</summary>
    public IReadOnlyList<MessagePart> Parts { get; init; } = [];

    /// <summary>What the parent's ask_agent call receives (the member's answer, or why there is none).</summary>
    public string? Result { get; init; }

    public bool IsError { get; init; }

    public string? ProviderName { get; init; }

    public string? ModelId { get; init; }

    public long InputTokens { get; init; }

    public long OutputTokens { get; init; }

    public decimal? Cost { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public long Tokens => InputTokens + OutputTokens;

    public string Text => string.Concat(Parts.OfType<TextPart>().Select(p => p.Text));
}
