using Agent.Domain.Context;
using Agent.Domain.Memory;
using Agent.Domain.Sessions;
using Agent.Domain.Tools;
using Microsoft.Extensions.AI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace Agent.Runtime.Chat.Context;

/// <summary>The text of each context block as it is sent (the header says what it is), and the prompt built from a plan.</summary>
public static class ContextBlocks
{
    public const string PinnedHeader = "Pinned memory (always kept)";
    public const string RecalledHeader = "Recalled memory";
    public const string EpisodeHeader = "Earlier in this session (daily episode)";
    public const string SummaryHeader = "Summary of the earlier conversation (compacted)";
    public const string SkillsHeader = "Skills you can load with load_skill";

    public static ContextBlock System(string prompt, string? profileName) =>
        new(ContextPartKind.System, profileName is null ? "System prompt" : $"System prompt ({profileName})", prompt, "profile");

    /// <summary>The chat's own instructions (its settings), sent after its agent's system prompt.</summary>
    public static ContextBlock ChatInstructions(string instructions) =>
        new(ContextPartKind.System, "Instructions for this chat", instructions, "chat settings");

    public static ContextBlock? Skills(IReadOnlyList<SkillSpec> skills)
    {
        var enabled = skills.Where(s => s.Enabled).ToList();
        return enabled.Count == 0 ? null
            : new(ContextPartKind.Skills, $"Skills ({enabled.Count})", $"{SkillsHeader}:\n" + string.Join('\n', enabled.Select(s => $"- {s.Name}: {s.Description}")), "skills");
    }

    public static ContextBlock Pinned(MemoryItem item) =>
        new(ContextPartKind.Pinned, item.Title, $"{PinnedHeader}: {item.Title}\n{item.Content}", $"memory {item.Id}");

    public static ContextBlock Recalled(RecalledMemory recalled) =>
        new(ContextPartKind.Recalled, recalled.Item.Title, $"{RecalledHeader}: {MemoryPrompt.Line(recalled)}", $"memory {recalled.Item.Id} (score {recalled.Score:0.##})");

    public static ContextBlock Episode(MemoryItem item) =>
        new(ContextPartKind.Episode, item.Title, $"{EpisodeHeader}: {item.Title}\n{item.Content}", $"memory {item.Id}");

    public static ContextBlock Summary(Checkpoint checkpoint) =>
        new(ContextPartKind.CompactionSummary, checkpoint.Label, $"{SummaryHeader}:\n{checkpoint.Summary}", $"checkpoint {checkpoint.Id}");

    /// <summary>The request: every included block as a system message in order, then the turns sent, then the instruction.</summary>
    public static List<AiChatMessage> Render(ContextPlan plan, string? instruction)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var prompt = new List<AiChatMessage>();
        foreach (var part in plan.Parts)
        {
            if (part.Included && part.Text is { Length: > 0 } text && part.Kind is not ContextPartKind.RecentTurns and not ContextPartKind.Instruction)
            {
                prompt.Add(new AiChatMessage(ChatRole.System, text));
            }
        }

        prompt.AddRange(ChatPromptBuilder.ToPrompt(plan.IncludedTurns, instruction));
        return prompt;
    }
}
