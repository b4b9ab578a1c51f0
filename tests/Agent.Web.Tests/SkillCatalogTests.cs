using Agent.Domain.Configuration;
using Agent.ProviderEmulator;
using Agent.Runtime.Hosting;
using Agent.Runtime.Services;
using Agent.Tests.Shared;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Agent.Web.Tests;

/// <summary>
/// Skills are indexed once: a turn reads no SKILL.md when nothing changed, and a skill added, edited or deleted is in
/// the next turn's provider request. Each change is made in one step (a folder moved in or out, a file renamed over
/// SKILL.md) so the watcher reports it once; the test waits for that report, never a fixed time.
/// </summary>
public sealed class SkillCatalogTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_second_send_reads_no_SKILL_md_and_still_sends_the_skills()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 0 });
        await using var turns = await EmulatedTurns.StartAsync(emulator, skills: 3);

        var first = await turns.MeasureSendAsync("the first message");
        var second = await turns.MeasureSendAsync("the second message");

        Assert.Equal(3, first.SkillFilesRead + second.SkillFilesRead); // indexed once, by the first turn (or before it)
        Assert.Equal(3, turns.Skills.SkillFilesRead);
        Assert.Equal(0, second.SkillFilesRead);
        var request = LastRequestBody(emulator);
        Assert.Contains("Test skill number 1.", request, StringComparison.Ordinal);
        Assert.Contains("Test skill number 3.", request, StringComparison.Ordinal);
        Assert.Contains("load_skill", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_skill_added_edited_or_deleted_is_in_the_next_turn_and_only_the_changed_file_is_read()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 0 });
        await using var turns = await EmulatedTurns.StartAsync(emulator, skills: 3);
        await turns.MeasureSendAsync("index the skills");

        // Added: a folder with its SKILL.md moved in.
        await ChangeAsync(turns.Skills, () => SkillFolders.MoveIn(turns.SkillsFolder, "skill-4", "Test skill number 4."));
        var added = await turns.MeasureSendAsync("after adding");
        Assert.Equal(1, added.SkillFilesRead);
        Assert.Contains("Test skill number 4.", LastRequestBody(emulator), StringComparison.Ordinal);

        // Edited: a new SKILL.md renamed over the old one, as editors save.
        await ChangeAsync(turns.Skills, () => SkillFolders.Replace(turns.SkillsFolder, "skill-1", "Skill one, edited."));
        var edited = await turns.MeasureSendAsync("after editing");
        Assert.Equal(1, edited.SkillFilesRead);
        var request = LastRequestBody(emulator);
        Assert.Contains("Skill one, edited.", request, StringComparison.Ordinal);
        Assert.DoesNotContain("Test skill number 1.", request, StringComparison.Ordinal);

        // Deleted: the folder moved out.
        await ChangeAsync(turns.Skills, () => SkillFolders.MoveOut(turns.SkillsFolder, "skill-2"));
        var deleted = await turns.MeasureSendAsync("after deleting");
        Assert.Equal(0, deleted.SkillFilesRead);
        request = LastRequestBody(emulator);
        Assert.DoesNotContain("Test skill number 2.", request, StringComparison.Ordinal);
        Assert.Contains("Test skill number 3.", request, StringComparison.Ordinal);

        // Written in place (truncate, then write): seen too; how often it is read depends on how many events the writes make.
        await ChangeAsync(turns.Skills, () => File.WriteAllText(Path.Combine(turns.SkillsFolder, "skill-3", "SKILL.md"), SkillFolders.Text("skill-3", "Skill three, rewritten in place.")));
        await turns.MeasureSendAsync("after writing in place");
        Assert.Contains("Skill three, rewritten in place.", LastRequestBody(emulator), StringComparison.Ordinal);

        var unchanged = await WhenQuietAsync(turns);
        Assert.Equal(0, unchanged.SkillFilesRead);
    }

    [Fact]
    public async Task A_skills_folder_missing_at_start_is_checked_on_each_scan_and_watched_once_it_exists()
    {
        var parent = Path.Combine(Path.GetTempPath(), "agent-web-tests", "skills-" + Guid.NewGuid().ToString("N"));
        var root = Path.Combine(parent, "skills");
        var options = new AgentOptions();
        options.Skills.Folders.Add(root);
        using var catalog = new SkillCatalog(Options.Create(options), new AppInfo("test", parent, Path.Combine(parent, "agent.db")), new ConfigOverrides(new MemoryOverrideStore()), TimeProvider.System, NullLogger<SkillCatalog>.Instance);
        try
        {
            Assert.Empty((await catalog.ScanAsync("local", CancellationToken.None)).Skills);

            // No watcher yet (the folder did not exist): the next scan lists the folder and reads what is new, at once.
            SkillFolders.Write(root, "late", "Created after start.");
            var (skills, _) = await catalog.ScanAsync("local", CancellationToken.None);
            Assert.Equal("Created after start.", Assert.Single(skills).Description);
            Assert.Equal(1, catalog.SkillFilesRead);

            // Now watched: nothing changed, nothing read; a change is reported and read once.
            await catalog.ScanAsync("local", CancellationToken.None);
            Assert.Equal(1, catalog.SkillFilesRead);
            await ChangeAsync(catalog, () => SkillFolders.Replace(root, "late", "Edited while watched."));
            Assert.Equal("Edited while watched.", Assert.Single((await catalog.ScanAsync("local", CancellationToken.None)).Skills).Description);
            Assert.Equal(2, catalog.SkillFilesRead);

            // A SKILL.md that is not a skill's is a problem, not a failure.
            await ChangeAsync(catalog, () => SkillFolders.MoveIn(root, "broken", null));
            var (after, problems) = await catalog.ScanAsync("local", CancellationToken.None);
            Assert.Single(after);
            Assert.Contains("front matter", Assert.Single(problems).Problem, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    [Fact]
    public async Task After_a_watcher_error_every_SKILL_md_is_read_again_and_checked_on_each_scan_until_the_folder_is_watched_again()
    {
        var parent = Path.Combine(Path.GetTempPath(), "agent-web-tests", "skills-" + Guid.NewGuid().ToString("N"));
        var root = Path.Combine(parent, "skills");
        SkillFolders.Write(root, "one", "First skill.");
        SkillFolders.Write(root, "two", "Second skill.");
        var options = new AgentOptions();
        options.Skills.Folders.Add(root);
        var clock = new FakeTimeProvider();
        using var catalog = new SkillCatalog(Options.Create(options), new AppInfo("test", parent, Path.Combine(parent, "agent.db")), new ConfigOverrides(new MemoryOverrideStore()), clock, NullLogger<SkillCatalog>.Instance);
        try
        {
            Assert.Equal(2, (await catalog.ScanAsync("local", CancellationToken.None)).Skills.Count);
            Assert.True(catalog.IsWatched(root));
            Assert.Equal(2, catalog.SkillFilesRead);

            // The watcher may have lost events (an overflowed buffer): everything is read again, and the folder is checked on each scan.
            catalog.OnWatcherError(root, new InternalBufferOverflowException());
            Assert.False(catalog.IsWatched(root));
            await catalog.ScanAsync("local", CancellationToken.None);
            Assert.Equal(4, catalog.SkillFilesRead);

            // Unwatched, a change is seen by the very next scan (last-write time and length), with no report to wait for.
            SkillFolders.Replace(root, "one", "First skill, edited while unwatched.");
            Assert.Contains("First skill, edited while unwatched.", (await catalog.ScanAsync("local", CancellationToken.None)).Skills.Select(s => s.Description));
            Assert.Equal(5, catalog.SkillFilesRead);
            Assert.False(catalog.IsWatched(root)); // not before the retry delay

            clock.Advance(SkillCatalog.WatchRetryDelay);
            await catalog.ScanAsync("local", CancellationToken.None);
            Assert.True(catalog.IsWatched(root));
            await catalog.ScanAsync("local", CancellationToken.None);
            Assert.Equal(5, catalog.SkillFilesRead);
        }
        finally
        {
            Directory.Delete(parent, recursive: true);
        }
    }

    /// <summary>Makes a change and waits until the catalog's watcher has reported it.</summary>
    private static async Task ChangeAsync(SkillCatalog catalog, Action change)
    {
        var noticed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged() => noticed.TrySetResult();
        catalog.Changed += OnChanged;
        try
        {
            change();
            await noticed.Task.WaitAsync(Wait);
        }
        finally
        {
            catalog.Changed -= OnChanged;
        }
    }

    /// <summary>
    /// A send after the last change's every report was read: a write in place can be reported more than once, and a report
    /// that comes after a turn has read the file makes the next turn read it again. Sends until a turn reads nothing,
    /// which must happen within a few turns.
    /// </summary>
    private static async Task<TurnStartSample> WhenQuietAsync(EmulatedTurns turns)
    {
        var sample = await turns.MeasureSendAsync("nothing changed");
        for (var i = 0; i < 3 && sample.SkillFilesRead > 0; i++)
        {
            sample = await turns.MeasureSendAsync("nothing changed");
        }

        return sample;
    }

    private static string LastRequestBody(EmulatorServer emulator) =>
        emulator.Requests.All().Last(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal)).Body;
}

/// <summary>Skill folders for tests: each change in one filesystem step where the test needs one report.</summary>
internal static class SkillFolders
{
    public static string Text(string name, string? description) =>
        description is null ? "no front matter here\n" : $"---\nname: {name}\ndescription: {description}\n---\n\n# {name}\n\nDo what {name} says.\n";

    /// <summary>Creates or overwrites a skill in place (several reports when watched).</summary>
    public static void Write(string root, string name, string description)
    {
        Directory.CreateDirectory(Path.Combine(root, name));
        File.WriteAllText(Path.Combine(root, name, SkillCatalog.FileName), Text(name, description));
    }

    /// <summary>Adds a skill in one step: built beside the skills folder, then moved in.</summary>
    public static void MoveIn(string root, string name, string? description)
    {
        var staged = Path.Combine(Staging(root), name);
        Directory.CreateDirectory(staged);
        File.WriteAllText(Path.Combine(staged, SkillCatalog.FileName), Text(name, description));
        Directory.Move(staged, Path.Combine(root, name));
    }

    /// <summary>Replaces a skill's SKILL.md in one step: written to a temporary name, then renamed over it.</summary>
    public static void Replace(string root, string name, string description)
    {
        var temp = Path.Combine(root, name, SkillCatalog.FileName + ".tmp");
        File.WriteAllText(temp, Text(name, description));
        File.Move(temp, Path.Combine(root, name, SkillCatalog.FileName), overwrite: true);
    }

    /// <summary>Deletes a skill in one step: its folder moved out of the skills folder.</summary>
    public static void MoveOut(string root, string name) =>
        Directory.Move(Path.Combine(root, name), Path.Combine(Staging(root), name + "-" + Guid.NewGuid().ToString("N")));

    private static string Staging(string root) => Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(root)!, "staging")).FullName;
}
