namespace Agent.Domain.Memory;

/// <summary>Pure: the system instruction of a summary request (daily episodes, attachment summaries).</summary>
public static class SummaryRequest
{
    public const string InstructionStart = "Summarize";

    public const string EpisodeInstruction = InstructionStart + " this conversation of one day for long-term memory: the facts, decisions and open questions, in at most 120 words. Plain text.";

    public const string AttachmentInstruction = InstructionStart + " this document for long-term memory: what it is, its key facts, names and numbers, in at most 150 words. Plain text.";
}
