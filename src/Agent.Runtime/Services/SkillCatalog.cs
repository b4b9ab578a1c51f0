using Agent.Domain.Configuration;
using Agent.Domain.Storage;
using Agent.Domain.Tools;
using Agent.Runtime.Hosting;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Agent.Runtime.Services;

/// <summary>A folder that looked like a skill but could not be read; shown in the Tools panel, never fatal.</summary>
public sealed record SkillProblem(string FolderPath, string Problem);

/// <summary>Finds skill folders (each with a SKILL.md whose front matter names and describes it).</summary>
public sealed class SkillCatalog(IOptions<AgentOptions> options, AppInfo app, IConfigOverrideStore overrides)
{
    public const string OverrideScope = "skill";

    private long skillFilesRead;

    /// <summary>How many SKILL.md files this catalog has read since it was created (the turn-start bench and tests read it).</summary>
    public long SkillFilesRead => Interlocked.Read(ref skillFilesRead);

    public async Task<(IReadOnlyList<SkillSpec> Skills, IReadOnlyList<SkillProblem> Problems)> ScanAsync(string tenantId, CancellationToken cancellationToken)
    {
        var skills = new List<SkillSpec>();
        var problems = new List<SkillProblem>();
        var enabled = await overrides.EnabledOverridesAsync(tenantId, OverrideScope, cancellationToken);
        foreach (var configured in options.Value.Skills.Folders)
        {
            var root = Path.GetFullPath(Path.Combine(app.ContentRoot, configured));
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
            {
                var file = Path.Combine(folder, "SKILL.md");
                if (!File.Exists(file))
                {
                    continue;
                }

                var text = await File.ReadAllTextAsync(file, cancellationToken);
                Interlocked.Increment(ref skillFilesRead);
                if (TryReadFrontMatter(text, out var name, out var description, out var problem))
                {
                    skills.Add(new SkillSpec(name, description, folder, enabled.TryGetValue(name, out var on) ? on : true));
                }
                else
                {
                    problems.Add(new SkillProblem(folder, problem));
                }
            }
        }

        return (skills, problems);
    }

    internal static bool TryReadFrontMatter(string text, out string name, out string description, out string problem)
    {
        name = description = problem = "";
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        if (lines.Length < 3 || lines[0].Trim() != "---")
        {
            problem = "SKILL.md does not start with a --- front matter block.";
            return false;
        }

        var end = Array.FindIndex(lines, 1, l => l.Trim() == "---");
        if (end < 0)
        {
            problem = "SKILL.md front matter is not closed with ---.";
            return false;
        }

        Dictionary<string, object?>? fields;
        try
        {
            fields = new DeserializerBuilder().Build().Deserialize<Dictionary<string, object?>>(string.Join('\n', lines[1..end]));
        }
        catch (YamlException ex)
        {
            problem = $"SKILL.md front matter is not valid YAML: {ex.Message}";
            return false;
        }

        name = (fields?.GetValueOrDefault("name") as string)?.Trim() ?? "";
        description = (fields?.GetValueOrDefault("description") as string)?.Trim() ?? "";
        if (name.Length == 0 || description.Length == 0)
        {
            problem = "SKILL.md front matter needs both name and description.";
            return false;
        }

        return true;
    }
}
