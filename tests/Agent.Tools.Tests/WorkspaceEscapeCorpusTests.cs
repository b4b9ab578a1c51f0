using Agent.Runtime.Tools;
using Xunit.Abstractions;

namespace Agent.Tools.Tests;

/// <summary>
/// Path traversal and symbolic-link corpus: every path is tried with read, write, list and delete. An escape is a read
/// that returns the outside file, or any change outside the workspace (a file written, changed or deleted): 0 escapes.
/// </summary>
public sealed class WorkspaceEscapeCorpusTests(ITestOutputHelper output) : IDisposable
{
    private const string Secret = "TOP SECRET outside the workspace";
    private readonly string dir = Directory.CreateTempSubdirectory("agent-ws-corpus").FullName;

    [Fact]
    public async Task No_path_of_the_corpus_escapes_the_workspace()
    {
        var ws = Path.Combine(dir, "ws");
        var outside = Path.Combine(dir, "outside");
        Directory.CreateDirectory(Path.Combine(ws, "inner"));
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.txt"), Secret);
        File.WriteAllText(Path.Combine(ws, "inside.txt"), "inside");
        File.CreateSymbolicLink(Path.Combine(ws, "secret-link"), Path.Combine(outside, "secret.txt"));
        File.CreateSymbolicLink(Path.Combine(ws, "relative-secret-link"), "../outside/secret.txt");
        Directory.CreateSymbolicLink(Path.Combine(ws, "link-out"), outside);
        Directory.CreateSymbolicLink(Path.Combine(ws, "relative-link-out"), "../outside");
        Directory.CreateSymbolicLink(Path.Combine(ws, "inner", "deep"), "../../outside");
        Directory.CreateSymbolicLink(Path.Combine(ws, "chain"), Path.Combine(ws, "link-out"));
        File.CreateSymbolicLink(Path.Combine(ws, "dangling-out"), Path.Combine(outside, "created-through-dangling-link.txt"));
        Directory.CreateSymbolicLink(Path.Combine(ws, "root-link"), "/");
        var folder = new WorkspaceFolder(ws, maxFileBytes: 4096);

        var paths = new[]
        {
            "../outside/secret.txt", "../../outside/secret.txt", "./../outside/secret.txt", "inner/../../outside/secret.txt", "a/b/../../../outside/secret.txt",
            "..", "../", "../outside", "../outside/", "inner/../..", Path.Combine(outside, "secret.txt"), outside, "/", "/tmp", dir,
            "secret-link", "relative-secret-link", "link-out/secret.txt", "link-out", "link-out/", "relative-link-out/secret.txt", "inner/deep/secret.txt",
            "inner/deep", "chain/secret.txt", "chain", "dangling-out", "root-link", "root-link/tmp", "link-out/new.txt", "inner/deep/new.txt",
            "link-out/../inside.txt", "ws/../../outside/secret.txt", "..\\outside\\secret.txt", "%2e%2e/outside/secret.txt", "....//outside/secret.txt",
            "inside.txt\0../../outside/secret.txt", " ../outside/secret.txt", "../outside/secret.txt ", "inner/./../../outside/./secret.txt",
        };

        var before = Snapshot(outside);
        int escapes = 0, refused = 0, allowedInside = 0;
        foreach (var path in paths)
        {
            foreach (var operation in new Func<Task<string?>>[]
            {
                async () => await folder.ReadAsync(path, CancellationToken.None),
                async () => { await folder.WriteAsync(path, "pwned", CancellationToken.None); return null; },
                () => Task.FromResult<string?>(string.Join(",", folder.List(path).Select(e => e.Path))),
                () => { folder.Delete(path); return Task.FromResult<string?>(null); },
            })
            {
                try
                {
                    var result = await operation();
                    allowedInside++;
                    if (result?.Contains(Secret, StringComparison.Ordinal) == true || result?.Contains("secret.txt", StringComparison.Ordinal) == true)
                    {
                        escapes++;
                        output.WriteLine($"ESCAPE (read) through '{path}'");
                    }
                }
                catch (ToolException)
                {
                    refused++;
                }

                if (!Snapshot(outside).SequenceEqual(before))
                {
                    escapes++;
                    output.WriteLine($"ESCAPE (change outside) through '{path}'");
                    before = Snapshot(outside);
                }
            }
        }

        Assert.Equal(Secret, File.ReadAllText(Path.Combine(outside, "secret.txt")));
        Assert.False(File.Exists(Path.Combine(outside, "created-through-dangling-link.txt")));
        output.WriteLine($"workspace corpus: {paths.Length} paths x 4 operations = {paths.Length * 4} attempts, {refused} refused, {allowedInside} stayed inside, {escapes} escapes");
        Assert.Equal(0, escapes);
    }

    private static string[] Snapshot(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => File.Exists(f) ? $"{f}={File.ReadAllText(f)}" : f)];

    public void Dispose() => Directory.Delete(dir, recursive: true);
}
