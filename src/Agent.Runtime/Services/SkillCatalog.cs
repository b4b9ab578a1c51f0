using Agent.Domain.Configuration;
using Agent.Domain.Tools;
using Agent.Runtime.Hosting;
using Microsoft.Extensions.Options;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Agent.Runtime.Services;

/// <summary>A folder that looked like a skill but could not be read; shown in the Tools panel, never fatal.</summary>
public sealed record SkillProblem(string FolderPath, string Problem);

/// <summary>
/// Finds skill folders (each with a SKILL.md whose front matter names and describes it). The configured folders are
/// indexed once; the index is refreshed only when something under them changed, so a turn reads no SKILL.md when
/// nothing did:
/// <list type="bullet">
/// <item>Each configured folder that exists has a <see cref="FileSystemWatcher"/> (inotify on Linux). An event on a
/// SKILL.md or on a skill folder marks the index stale and names the path, which the next scan reads again.</item>
/// <item>While every folder is watched and nothing was reported, a scan touches the disk only to check that the
/// folders still exist. A folder that is missing (it may be created later), whose watcher could not start (inotify
/// limits) or reported an error (an overflowed event buffer) is checked on every scan instead: its skill folders are
/// listed and each SKILL.md's last-write time and length compared with the index, and only a file that differs is
/// read. It is watched again on a later scan (after <see cref="WatchRetryDelay"/> when its watcher failed).</item>
/// </list>
/// There is no polling thread; the person's enable/disable switches come from <see cref="ConfigOverrides"/> (per tenant,
/// read once and kept until they change, through <see cref="SetEnabledAsync"/>).
/// </summary>
public sealed class SkillCatalog : IDisposable
{
    public const string OverrideScope = "skill";
    public const string FileName = "SKILL.md";

    /// <summary>How long a folder whose watcher failed is checked on each scan before it is watched again.</summary>
    public static readonly TimeSpan WatchRetryDelay = TimeSpan.FromMinutes(1);

    private readonly ConfigOverrides overrides;
    private readonly TimeProvider time;
    private readonly ILogger<SkillCatalog> logger;
    private readonly IReadOnlyList<string> roots;
    private readonly SemaphoreSlim refresh = new(1, 1);
    private readonly Lock gate = new();
    private readonly Dictionary<string, FileSystemWatcher> watchers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> watchAgainAt = new(StringComparer.Ordinal);
    private readonly HashSet<string> touched = new(StringComparer.Ordinal);
    private long version;
    private bool readAll;
    private bool disposed;
    private SkillIndex? index;
    private long skillFilesRead;
    private long changesNoticed;

    public SkillCatalog(IOptions<AgentOptions> options, AppInfo app, ConfigOverrides overrides, TimeProvider time, ILogger<SkillCatalog> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(app);
        this.overrides = overrides;
        this.time = time;
        this.logger = logger;
        roots = options.Value.Skills.Folders
            .Select(f => Path.TrimEndingDirectorySeparator(Path.GetFullPath(Path.Combine(app.ContentRoot, f))))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Raised (on a watcher's thread) when a change under a skills folder was noticed; the next scan sees it.</summary>
    public event Action? Changed;

    /// <summary>How many SKILL.md files this catalog has read since it was created (the turn-start bench and tests read it).</summary>
    public long SkillFilesRead => Interlocked.Read(ref skillFilesRead);

    /// <summary>How many changes under the skills folders the watchers have reported.</summary>
    public long ChangesNoticed => Interlocked.Read(ref changesNoticed);

    public async Task<(IReadOnlyList<SkillSpec> Skills, IReadOnlyList<SkillProblem> Problems)> ScanAsync(string tenantId, CancellationToken cancellationToken)
    {
        var current = await IndexAsync(cancellationToken);
        var enabled = await overrides.EnabledAsync(tenantId, OverrideScope, cancellationToken);
        var skills = current.Entries
            .Where(e => e.Problem is null)
            .Select(e => new SkillSpec(e.Name, e.Description, e.FolderPath, enabled.TryGetValue(e.Name, out var on) ? on : true))
            .ToList();
        var problems = current.Entries.Where(e => e.Problem is not null).Select(e => new SkillProblem(e.FolderPath, e.Problem!)).ToList();
        return (skills, problems);
    }

    /// <summary>Switches a skill on or off for the tenant (the Tools panel).</summary>
    public Task SetEnabledAsync(string tenantId, string skillName, bool enabled, CancellationToken cancellationToken) =>
        overrides.SetEnabledAsync(tenantId, OverrideScope, skillName, enabled, cancellationToken);

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
            foreach (var watcher in watchers.Values)
            {
                watcher.Dispose();
            }

            watchers.Clear();
        }
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

    /// <summary>The index as it is on disk now, reading only what changed since the last scan.</summary>
    private async Task<SkillIndex> IndexAsync(CancellationToken cancellationToken)
    {
        if (Current() is { } fresh)
        {
            return fresh;
        }

        await refresh.WaitAsync(cancellationToken);
        try
        {
            if (Current() is { } refreshed)
            {
                return refreshed;
            }

            HashSet<string> changed;
            bool all;
            long at;
            lock (gate)
            {
                // Taken before the folders are read: a change reported from here on leaves the new index behind the version.
                at = version;
                changed = [.. touched];
                touched.Clear();
                all = readAll;
                readAll = false;
            }

            var known = Volatile.Read(ref index)?.Entries.ToDictionary(e => e.FilePath, StringComparer.Ordinal) ?? [];
            var entries = new List<SkillEntry>();
            foreach (var root in roots)
            {
                Watch(root); // before listing, so nothing changed during the listing goes unnoticed
                if (!Directory.Exists(root))
                {
                    continue;
                }

                foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
                {
                    var file = new FileInfo(Path.Combine(folder, FileName));
                    if (!file.Exists)
                    {
                        continue;
                    }

                    if (!all && !changed.Contains(file.FullName) && !changed.Contains(folder)
                        && known.TryGetValue(file.FullName, out var entry) && entry.WrittenAt == file.LastWriteTimeUtc && entry.Length == file.Length)
                    {
                        entries.Add(entry);
                        continue;
                    }

                    entries.Add(await ReadAsync(folder, file, cancellationToken));
                }
            }

            var built = new SkillIndex(entries, at);
            lock (gate)
            {
                index = built;
            }

            return built;
        }
        finally
        {
            refresh.Release();
        }
    }

    /// <summary>The index when it can be served without reading: every folder watched and still there, nothing reported.</summary>
    private SkillIndex? Current()
    {
        lock (gate)
        {
            if (index is null || index.Version != version || watchers.Count != roots.Count)
            {
                return null;
            }
        }

        // A deleted or renamed folder takes its watch with it; checking that it is still there is one stat per folder.
        return roots.All(Directory.Exists) ? Volatile.Read(ref index) : null;
    }

    private async Task<SkillEntry> ReadAsync(string folder, FileInfo file, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(file.FullName, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SkillEntry(folder, file.FullName, file.LastWriteTimeUtc, file.Length, "", "", $"SKILL.md could not be read: {ex.Message}");
        }
        finally
        {
            Interlocked.Increment(ref skillFilesRead);
        }

        return TryReadFrontMatter(text, out var name, out var description, out var problem)
            ? new SkillEntry(folder, file.FullName, file.LastWriteTimeUtc, file.Length, name, description, null)
            : new SkillEntry(folder, file.FullName, file.LastWriteTimeUtc, file.Length, "", "", problem);
    }

    /// <summary>Starts watching <paramref name="root"/> when it exists and is not watched yet (again after an error or after it went away).</summary>
    private void Watch(string root)
    {
        lock (gate)
        {
            if (disposed)
            {
                return;
            }

            var exists = Directory.Exists(root);
            if (watchers.TryGetValue(root, out var existing))
            {
                if (!exists)
                {
                    existing.Dispose(); // the folder went away with its watch: watch it again when it is back
                    watchers.Remove(root);
                }

                return;
            }

            if (!exists || (watchAgainAt.TryGetValue(root, out var again) && time.GetUtcNow() < again))
            {
                return;
            }

            var watcher = new FileSystemWatcher
            {
                IncludeSubdirectories = true,
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            };
            try
            {
                watcher.Path = root;
                watcher.Created += (_, e) => Noticed(root, e.FullPath);
                watcher.Changed += (_, e) => Noticed(root, e.FullPath);
                watcher.Deleted += (_, e) => Noticed(root, e.FullPath);
                watcher.Renamed += (_, e) => Noticed(root, e.OldFullPath, e.FullPath);
                watcher.Error += (_, e) => Failed(root, watcher, e.GetException());
                watcher.EnableRaisingEvents = true;
                watchers[root] = watcher;
                watchAgainAt.Remove(root);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
            {
                // Out of inotify instances or watches, or the folder went away meanwhile: it is checked on every scan instead.
                watcher.Dispose();
                watchAgainAt[root] = time.GetUtcNow() + WatchRetryDelay;
                logger.LogWarning(ex, "Skills folder {Folder} cannot be watched; its SKILL.md files are checked on each scan instead", root);
            }
        }
    }

    private void Noticed(string root, params string[] paths)
    {
        var relevant = paths.Where(p => IsSkillPath(root, p)).ToList();
        if (relevant.Count == 0)
        {
            return;
        }

        lock (gate)
        {
            touched.UnionWith(relevant);
            version++;
        }

        Interlocked.Increment(ref changesNoticed);
        RaiseChanged();
    }

    /// <summary>Whether <paramref name="folder"/> (a configured skills folder, as a full path) has a live watcher now.</summary>
    internal bool IsWatched(string folder)
    {
        lock (gate)
        {
            return watchers.ContainsKey(Path.TrimEndingDirectorySeparator(folder));
        }
    }

    /// <summary>What a watcher's Error event does (an overflowed event buffer, a lost watch), for the folder's current watcher.</summary>
    internal void OnWatcherError(string folder, Exception error)
    {
        FileSystemWatcher? watcher;
        lock (gate)
        {
            watchers.TryGetValue(Path.TrimEndingDirectorySeparator(folder), out watcher);
        }

        if (watcher is not null)
        {
            Failed(Path.TrimEndingDirectorySeparator(folder), watcher, error);
        }
    }

    private void Failed(string root, FileSystemWatcher watcher, Exception error)
    {
        lock (gate)
        {
            readAll = true;
            version++;
            if (watchers.TryGetValue(root, out var current) && ReferenceEquals(current, watcher))
            {
                watchers.Remove(root);
                watchAgainAt[root] = time.GetUtcNow() + WatchRetryDelay; // a tree too large to watch would fail again at once
            }
        }

        watcher.Dispose();
        logger.LogWarning(error, "The watcher of skills folder {Folder} failed; every SKILL.md is read again on the next scan", root);
        Interlocked.Increment(ref changesNoticed);
        RaiseChanged();
    }

    private void RaiseChanged()
    {
        try
        {
            Changed?.Invoke();
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "A subscriber to skill changes failed");
        }
    }

    /// <summary>A skill folder (a direct child of the root) or a SKILL.md directly inside one.</summary>
    private static bool IsSkillPath(string root, string path)
    {
        var parent = Path.GetDirectoryName(path);
        return string.Equals(parent, root, StringComparison.Ordinal)
            || (string.Equals(Path.GetFileName(path), FileName, StringComparison.Ordinal) && string.Equals(Path.GetDirectoryName(parent), root, StringComparison.Ordinal));
    }

    /// <summary>One skill folder as last read: its SKILL.md's last-write time and length, and its front matter or problem.</summary>
    private sealed record SkillEntry(string FolderPath, string FilePath, DateTime WrittenAt, long Length, string Name, string Description, string? Problem);

    /// <summary>The skill folders as read when the change count was <paramref name="Version"/>.</summary>
    private sealed record SkillIndex(IReadOnlyList<SkillEntry> Entries, long Version);
}
