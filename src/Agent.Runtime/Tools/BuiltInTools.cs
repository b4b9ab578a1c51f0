using System.ComponentModel;
using System.Globalization;
using Agent.Domain.Tools;
using Agent.Runtime.Services;

namespace Agent.Runtime.Tools;

/// <summary>The built-in tools, each from a typed method: time, calculator, workspace folder, fetch URL, load_skill.</summary>
public static class BuiltInTools
{
    public const string CurrentTime = "current_time";
    public const string Calculate = "calculator";
    public const string WorkspaceList = "workspace_list";
    public const string WorkspaceRead = "workspace_read";
    public const string WorkspaceWrite = "workspace_write";
    public const string WorkspaceDelete = "workspace_delete";
    public const string FetchUrl = "fetch_url";
    public const string LoadSkill = "load_skill";

    public static AgentTool Time(TimeProvider time) => AgentTool.Create(
        () =>
        {
            var now = time.GetUtcNow();
            var local = TimeZoneInfo.ConvertTime(now, time.LocalTimeZone);
            return new
            {
                utc = now.ToString("O", CultureInfo.InvariantCulture),
                local = local.ToString("O", CultureInfo.InvariantCulture),
                timeZone = time.LocalTimeZone.Id,
            };
        },
        CurrentTime,
        "Returns the current date and time (UTC and the server's local time zone).",
        ToolSource.BuiltIn,
        ToolEffects.None);

    public static AgentTool Calculator() => AgentTool.Create(
        ([Description("For example (2 + 3) * 4 ^ 2 / 1.5")] string expression) =>
        {
            try
            {
                return new { expression, result = Agent.Domain.Tools.Calculator.Evaluate(expression).ToString(CultureInfo.InvariantCulture) };
            }
            catch (CalculatorException ex)
            {
                throw new ToolException(ex.Message);
            }
        },
        Calculate,
        "Evaluates an arithmetic expression with + - * / ^, parentheses and decimal numbers.",
        ToolSource.BuiltIn,
        ToolEffects.None);

    public static IReadOnlyList<AgentTool> Workspace(WorkspaceFolder folder) =>
    [
        AgentTool.Create(
            ([Description("Folder relative to the workspace; empty for the root.")] string path = "") => new { entries = folder.List(path) },
            WorkspaceList,
            "Lists the files and folders of a folder in the workspace (path relative to the workspace; empty for its root).",
            ToolSource.BuiltIn,
            ToolEffects.None),
        AgentTool.Create(
            async ([Description("File relative to the workspace.")] string path, CancellationToken cancellationToken) =>
                new { path, content = await folder.ReadAsync(path, cancellationToken) },
            WorkspaceRead,
            "Reads a text file of the workspace.",
            ToolSource.BuiltIn,
            ToolEffects.None),
        AgentTool.Create(
            async ([Description("File relative to the workspace.")] string path, string content, CancellationToken cancellationToken) =>
                new { path, bytes = await folder.WriteAsync(path, content, cancellationToken) },
            WorkspaceWrite,
            "Writes (creates or replaces) a text file of the workspace.",
            ToolSource.BuiltIn,
            ToolEffects.Writes),
        AgentTool.Create(
            ([Description("File or empty folder relative to the workspace.")] string path) =>
            {
                folder.Delete(path);
                return new { path, deleted = true };
            },
            WorkspaceDelete,
            "Deletes a file (or an empty folder) of the workspace.",
            ToolSource.BuiltIn,
            ToolEffects.Deletes),
    ];

    public static AgentTool Fetch(IHttpClientFactory clients, int maxBytes) => AgentTool.Create(
        async ([Description("An absolute http or https URL.")] string url, CancellationToken cancellationToken) =>
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ToolException($"'{url}' is not an absolute http or https URL.");
            }

            using var client = clients.CreateClient(FetchUrl);
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException ex) when (ex is FetchRefusedException || ex.InnerException is FetchRefusedException)
            {
                throw new ToolException((ex as FetchRefusedException ?? (FetchRefusedException)ex.InnerException!).Message);
            }

            using var disposeResponse = response;
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[maxBytes];
            var read = 0;
            int n;
            while (read < maxBytes && (n = await stream.ReadAsync(buffer.AsMemory(read, maxBytes - read), cancellationToken)) > 0)
            {
                read += n;
            }

            var truncated = read == maxBytes && stream.ReadByte() >= 0;
            return new
            {
                url = uri.ToString(),
                status = (int)response.StatusCode,
                contentType = response.Content.Headers.ContentType?.ToString(),
                truncated,
                body = System.Text.Encoding.UTF8.GetString(buffer, 0, read),
            };
        },
        FetchUrl,
        "Fetches an http(s) URL with GET and returns the status and the start of the body as text.",
        ToolSource.BuiltIn,
        ToolEffects.Network);

    public static AgentTool Skills(SkillCatalog catalog, string tenantId) => AgentTool.Create(
        async ([Description("The skill's name.")] string name, CancellationToken cancellationToken) =>
        {
            var (skills, _) = await catalog.ScanAsync(tenantId, cancellationToken);
            var skill = skills.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
            if (skill is null)
            {
                throw new ToolException($"There is no skill named '{name}'. Known skills: {string.Join(", ", skills.Where(s => s.Enabled).Select(s => s.Name))}.");
            }

            if (!skill.Enabled)
            {
                throw new ToolException($"The skill '{skill.Name}' is disabled.");
            }

            var text = await File.ReadAllTextAsync(Path.Combine(skill.FolderPath, "SKILL.md"), cancellationToken);
            return new { name = skill.Name, description = skill.Description, body = SkillBody(text) };
        },
        LoadSkill,
        "Loads the instructions (SKILL.md body) of a skill by name.",
        ToolSource.Skill,
        ToolEffects.None);

    /// <summary>The SKILL.md text after its front matter block.</summary>
    public static string SkillBody(string text)
    {
        var lines = (text ?? "").ReplaceLineEndings("\n").Split('\n');
        if (lines.Length > 0 && lines[0].Trim() == "---")
        {
            var end = Array.FindIndex(lines, 1, l => l.Trim() == "---");
            if (end > 0)
            {
                return string.Join('\n', lines[(end + 1)..]).Trim();
            }
        }

        return (text ?? "").Trim();
    }
}
