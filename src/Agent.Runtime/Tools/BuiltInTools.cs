using System.Globalization;
using Agent.Domain.Tools;
using Agent.Runtime.Services;

namespace Agent.Runtime.Tools;

/// <summary>The built-in tools, each with a JSON schema: time, calculator, workspace folder, fetch URL, load_skill.</summary>
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

    public static AgentTool Time(TimeProvider time) => new(
        CurrentTime,
        "Returns the current date and time (UTC and the server's local time zone).",
        """{"type":"object","properties":{},"additionalProperties":false}""",
        ToolSource.BuiltIn,
        ToolEffects.None,
        (_, _) =>
        {
            var now = time.GetUtcNow();
            var local = TimeZoneInfo.ConvertTime(now, time.LocalTimeZone);
            return ValueTask.FromResult<object?>(new
            {
                utc = now.ToString("O", CultureInfo.InvariantCulture),
                local = local.ToString("O", CultureInfo.InvariantCulture),
                timeZone = time.LocalTimeZone.Id,
            });
        });

    public static AgentTool Calculator() => new(
        Calculate,
        "Evaluates an arithmetic expression with + - * / ^, parentheses and decimal numbers.",
        """{"type":"object","properties":{"expression":{"type":"string","description":"For example (2 + 3) * 4 ^ 2 / 1.5"}},"required":["expression"],"additionalProperties":false}""",
        ToolSource.BuiltIn,
        ToolEffects.None,
        (args, _) =>
        {
            var expression = AgentTool.RequiredString(args, "expression");
            try
            {
                var value = Agent.Domain.Tools.Calculator.Evaluate(expression);
                return ValueTask.FromResult<object?>(new { expression, result = value.ToString(CultureInfo.InvariantCulture) });
            }
            catch (CalculatorException ex)
            {
                throw new ToolException(ex.Message);
            }
        });

    public static IReadOnlyList<AgentTool> Workspace(WorkspaceFolder folder) =>
    [
        new(
            WorkspaceList,
            "Lists the files and folders of a folder in the workspace (path relative to the workspace; empty for its root).",
            """{"type":"object","properties":{"path":{"type":"string","description":"Folder relative to the workspace; empty for the root."}},"additionalProperties":false}""",
            ToolSource.BuiltIn,
            ToolEffects.None,
            (args, _) => ValueTask.FromResult<object?>(new { entries = folder.List(AgentTool.OptionalString(args, "path")) })),
        new(
            WorkspaceRead,
            "Reads a text file of the workspace.",
            """{"type":"object","properties":{"path":{"type":"string","description":"File relative to the workspace."}},"required":["path"],"additionalProperties":false}""",
            ToolSource.BuiltIn,
            ToolEffects.None,
            async (args, ct) =>
            {
                var path = AgentTool.RequiredString(args, "path");
                return new { path, content = await folder.ReadAsync(path, ct) };
            }),
        new(
            WorkspaceWrite,
            "Writes (creates or replaces) a text file of the workspace.",
            """{"type":"object","properties":{"path":{"type":"string","description":"File relative to the workspace."},"content":{"type":"string"}},"required":["path","content"],"additionalProperties":false}""",
            ToolSource.BuiltIn,
            ToolEffects.Writes,
            async (args, ct) =>
            {
                var path = AgentTool.RequiredString(args, "path");
                var bytes = await folder.WriteAsync(path, AgentTool.OptionalString(args, "content") ?? "", ct);
                return new { path, bytes };
            }),
        new(
            WorkspaceDelete,
            "Deletes a file (or an empty folder) of the workspace.",
            """{"type":"object","properties":{"path":{"type":"string","description":"File or empty folder relative to the workspace."}},"required":["path"],"additionalProperties":false}""",
            ToolSource.BuiltIn,
            ToolEffects.Deletes,
            (args, _) =>
            {
                var path = AgentTool.RequiredString(args, "path");
                folder.Delete(path);
                return ValueTask.FromResult<object?>(new { path, deleted = true });
            }),
    ];

    public static AgentTool Fetch(IHttpClientFactory clients, int maxBytes) => new(
        FetchUrl,
        "Fetches an http(s) URL with GET and returns the status and the start of the body as text.",
        """{"type":"object","properties":{"url":{"type":"string","description":"An absolute http or https URL."}},"required":["url"],"additionalProperties":false}""",
        ToolSource.BuiltIn,
        ToolEffects.Network,
        async (args, ct) =>
        {
            var text = AgentTool.RequiredString(args, "url");
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                throw new ToolException($"'{text}' is not an absolute http or https URL.");
            }

            using var client = clients.CreateClient(FetchUrl);
            HttpResponseMessage response;
            try
            {
                response = await client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct);
            }
            catch (HttpRequestException ex) when (ex is FetchRefusedException || ex.InnerException is FetchRefusedException)
            {
                throw new ToolException((ex as FetchRefusedException ?? (FetchRefusedException)ex.InnerException!).Message);
            }

            using var disposeResponse = response;
            await using var stream = await response.Content.ReadAsStreamAsync(ct);
            var buffer = new byte[maxBytes];
            var read = 0;
            int n;
            while (read < maxBytes && (n = await stream.ReadAsync(buffer.AsMemory(read, maxBytes - read), ct)) > 0)
            {
                read += n;
            }

            var truncated = read == maxBytes && stream.ReadByte() >= 0;
            return new
            {
                url = url.ToString(),
                status = (int)response.StatusCode,
                contentType = response.Content.Headers.ContentType?.ToString(),
                truncated,
                body = System.Text.Encoding.UTF8.GetString(buffer, 0, read),
            };
        });

    public static AgentTool Skills(SkillCatalog catalog, string tenantId) => new(
        LoadSkill,
        "Loads the instructions (SKILL.md body) of a skill by name.",
        """{"type":"object","properties":{"name":{"type":"string","description":"The skill's name."}},"required":["name"],"additionalProperties":false}""",
        ToolSource.Skill,
        ToolEffects.None,
        async (args, ct) =>
        {
            var name = AgentTool.RequiredString(args, "name");
            var (skills, _) = await catalog.ScanAsync(tenantId, ct);
            var skill = skills.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
            if (skill is null)
            {
                throw new ToolException($"There is no skill named '{name}'. Known skills: {string.Join(", ", skills.Where(s => s.Enabled).Select(s => s.Name))}.");
            }

            if (!skill.Enabled)
            {
                throw new ToolException($"The skill '{skill.Name}' is disabled.");
            }

            var text = await File.ReadAllTextAsync(Path.Combine(skill.FolderPath, "SKILL.md"), ct);
            return new { name = skill.Name, description = skill.Description, body = SkillBody(text) };
        });

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
