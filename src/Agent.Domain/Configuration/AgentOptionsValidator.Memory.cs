namespace Agent.Domain.Configuration;

public static partial class AgentOptionsValidator
{
    private static void ValidateMemory(MemoryOptions memory, List<ConfigError> errors)
    {
        const string key = Section + ":Memory";
        ValidatePositive($"{key}:PinnedBlockMaxChars", memory.PinnedBlockMaxChars, errors);
        ValidatePositive($"{key}:PinnedTotalMaxChars", memory.PinnedTotalMaxChars, errors);
        ValidatePositive($"{key}:FactMaxChars", memory.FactMaxChars, errors);
        ValidatePositive($"{key}:SummaryInputMaxChars", memory.SummaryInputMaxChars, errors);
        if (memory.AttachmentMaxBytes <= 0)
        {
            errors.Add(new($"{key}:AttachmentMaxBytes", $"is {memory.AttachmentMaxBytes}; it must be positive.", "use a size such as 10485760 (10 MB)."));
        }

        if (string.IsNullOrWhiteSpace(memory.AttachmentFolder))
        {
            errors.Add(new($"{key}:AttachmentFolder", "is empty.", "give a folder such as data/attachments."));
        }

        foreach (var (name, value) in new[] { ("RecallMinCoverage", memory.RecallMinCoverage), ("RecallRelativeCut", memory.RecallRelativeCut) })
        {
            if (value is < 0 or > 1 || double.IsNaN(value))
            {
                errors.Add(new($"{key}:{name}", $"is {value}; it must be a share from 0 to 1.", "use a value such as 0.5."));
            }
        }

        if (memory.RecallMinScore < 0 || double.IsNaN(memory.RecallMinScore))
        {
            errors.Add(new($"{key}:RecallMinScore", $"is {memory.RecallMinScore}; it must be 0 or more.", "use 0 (the default: coverage decides) or a BM25 score such as 0.5."));
        }
    }
}
