using Agent.Domain.Configuration;

namespace Agent.Runtime.Tools;

/// <summary>
/// The one folder the workspace tools may touch. Every path is relative to it; traversal out of it, absolute paths
/// elsewhere, symbolic links that lead out of it, paths over <see cref="InputLimits.MaxWorkspacePathLength"/> characters
/// (or with a name over <see cref="InputLimits.MaxPathSegmentLength"/>) and files over the size limit are refused with a
/// clear error. A file system failure becomes a <see cref="ToolException"/> in plain words: no exception type reaches the model.
/// </summary>
public sealed class WorkspaceFolder
{
    public WorkspaceFolder(string root, long maxFileBytes)
    {
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        MaxFileBytes = maxFileBytes;
    }

    public string Root { get; }

    public long MaxFileBytes { get; }

    /// <summary>The full path of <paramref name="relativePath"/> inside the workspace, or a <see cref="ToolException"/>.</summary>
    public string Resolve(string? relativePath)
    {
        var path = string.IsNullOrWhiteSpace(relativePath) ? "." : relativePath.Trim();
        if (path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ToolException("The path contains a NUL character.");
        }

        if (InputLimits.PathProblem(path) is { } tooLong)
        {
            throw new ToolException(tooLong);
        }

        return Guarded(path, () => ResolveChecked(path));
    }

    private string ResolveChecked(string path)
    {

        var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(Root, path));
        if (!IsInside(full))
        {
            throw new ToolException(Path.IsPathRooted(path)
                ? $"The path '{path}' is outside the workspace folder; use a path relative to the workspace."
                : $"The path '{path}' leaves the workspace folder (path traversal is refused).");
        }

        // Every existing part of the path that is a symbolic link must stay inside the workspace.
        var current = Root;
        var relative = Path.GetRelativePath(Root, full);
        if (relative != ".")
        {
            foreach (var part in relative.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
            {
                current = Path.Combine(current, part);
                FileSystemInfo info = Directory.Exists(current) ? new DirectoryInfo(current) : new FileInfo(current);
                if (!info.Exists || info.LinkTarget is null)
                {
                    continue;
                }

                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                var targetPath = target?.FullName ?? Path.GetFullPath(info.LinkTarget, Path.GetDirectoryName(current)!);
                if (!IsInside(Path.GetFullPath(targetPath)))
                {
                    throw new ToolException($"The path '{path}' goes through a symbolic link that leads outside the workspace folder.");
                }
            }
        }

        return full;
    }

    public IReadOnlyList<WorkspaceEntry> List(string? relativePath)
    {
        var full = Resolve(relativePath);
        return Guarded(relativePath, () => ListChecked(full, relativePath));
    }

    private List<WorkspaceEntry> ListChecked(string full, string? relativePath)
    {
        Directory.CreateDirectory(Root);
        if (!Directory.Exists(full))
        {
            throw new ToolException($"The folder '{relativePath}' does not exist in the workspace.");
        }

        return new DirectoryInfo(full).EnumerateFileSystemInfos()
            .OrderBy(i => i.Name, StringComparer.Ordinal)
            .Select(i => new WorkspaceEntry(
                Path.GetRelativePath(Root, i.FullName).Replace(Path.DirectorySeparatorChar, '/'),
                i is DirectoryInfo ? "directory" : "file",
                i is FileInfo f ? f.Length : null))
            .ToList();
    }

    public async Task<string> ReadAsync(string relativePath, CancellationToken cancellationToken)
    {
        var full = Resolve(relativePath);
        var info = new FileInfo(full);
        if (!info.Exists)
        {
            throw new ToolException($"The file '{relativePath}' does not exist in the workspace.");
        }

        if (info.Length > MaxFileBytes)
        {
            throw new ToolException($"The file '{relativePath}' is {info.Length} bytes, over the limit of {MaxFileBytes} bytes.");
        }

        return await GuardedAsync(relativePath, () => File.ReadAllTextAsync(full, cancellationToken));
    }

    public async Task<long> WriteAsync(string relativePath, string content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var full = Resolve(relativePath);
        if (full == Root || Directory.Exists(full))
        {
            throw new ToolException($"'{relativePath}' is a folder, not a file.");
        }

        var bytes = System.Text.Encoding.UTF8.GetByteCount(content);
        if (bytes > MaxFileBytes)
        {
            throw new ToolException($"The content is {bytes} bytes, over the limit of {MaxFileBytes} bytes.");
        }

        return await GuardedAsync(relativePath, async () =>
        {
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, content, cancellationToken);
            return (long)bytes;
        });
    }

    public void Delete(string relativePath)
    {
        var full = Resolve(relativePath);
        Guarded(relativePath, () => DeleteChecked(full, relativePath));
    }

    private bool DeleteChecked(string full, string relativePath)
    {
        if (full == Root)
        {
            throw new ToolException("The workspace folder itself cannot be deleted.");
        }

        var info = new FileInfo(full);
        if (info.Exists || info.LinkTarget is not null)
        {
            info.Delete();
            return true;
        }

        if (Directory.Exists(full))
        {
            if (Directory.EnumerateFileSystemEntries(full).Any())
            {
                throw new ToolException($"The folder '{relativePath}' is not empty; delete its files first.");
            }

            Directory.Delete(full);
            return true;
        }

        throw new ToolException($"'{relativePath}' does not exist in the workspace.");
    }

    private static T Guarded<T>(string? path, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Plain(path, ex);
        }
    }

    private static async Task<T> GuardedAsync<T>(string? path, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Plain(path, ex);
        }
    }

    /// <summary>The failure in words a person and a model can act on; the file system's own message may name internals.</summary>
    private static ToolException Plain(string? path, Exception ex) => new(ex switch
    {
        PathTooLongException => $"The path {InputLimits.Shown(path)} is too long for the file system.",
        FileNotFoundException or DirectoryNotFoundException => $"{InputLimits.Shown(path)} does not exist in the workspace.",
        UnauthorizedAccessException => $"The workspace may not read or write {InputLimits.Shown(path)} (access denied).",
        _ => $"The file system refused {InputLimits.Shown(path)}.",
    });

    private bool IsInside(string fullPath) =>
        string.Equals(fullPath, Root, StringComparison.Ordinal)
        || fullPath.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}

public sealed record WorkspaceEntry(string Path, string Type, long? Size);
