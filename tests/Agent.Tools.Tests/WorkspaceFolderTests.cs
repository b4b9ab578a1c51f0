using Agent.Runtime.Tools;

namespace Agent.Tools.Tests;

public sealed class WorkspaceFolderTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "agent-ws-" + Guid.NewGuid().ToString("N"));
    private readonly string outside;
    private readonly WorkspaceFolder folder;

    public WorkspaceFolderTests()
    {
        Directory.CreateDirectory(Path.Combine(dir, "ws"));
        outside = Path.Combine(dir, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "secret");
        folder = new WorkspaceFolder(Path.Combine(dir, "ws"), maxFileBytes: 100);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public async Task Writes_reads_lists_and_deletes_inside()
    {
        await folder.WriteAsync("notes/a.txt", "hello", default);
        Assert.Equal("hello", await folder.ReadAsync("notes/a.txt", default));
        var entries = folder.List("notes");
        Assert.Equal("notes/a.txt", Assert.Single(entries).Path);
        Assert.Equal("directory", Assert.Single(folder.List("")).Type);
        folder.Delete("notes/a.txt");
        folder.Delete("notes");
        Assert.Empty(folder.List(null));
    }

    [Theory]
    [InlineData("../outside/secret.txt")]
    [InlineData("notes/../../outside/secret.txt")]
    [InlineData("..")]
    public async Task Path_traversal_is_refused(string path)
    {
        var ex = await Assert.ThrowsAsync<ToolException>(() => folder.ReadAsync(path, default));
        Assert.Contains("leaves the workspace", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Absolute_paths_outside_are_refused_inside_allowed()
    {
        var ex = await Assert.ThrowsAsync<ToolException>(() => folder.ReadAsync(Path.Combine(outside, "secret.txt"), default));
        Assert.Contains("outside the workspace", ex.Message, StringComparison.Ordinal);
        await folder.WriteAsync(Path.Combine(folder.Root, "b.txt"), "x", default);
        Assert.Equal("x", await folder.ReadAsync("b.txt", default));
    }

    [Fact]
    public async Task Symlinks_that_leave_are_refused()
    {
        File.CreateSymbolicLink(Path.Combine(folder.Root, "link.txt"), Path.Combine(outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(folder.Root, "linkdir"), outside);
        var ex = await Assert.ThrowsAsync<ToolException>(() => folder.ReadAsync("link.txt", default));
        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ToolException>(() => folder.ReadAsync("linkdir/secret.txt", default));
        await Assert.ThrowsAsync<ToolException>(() => folder.WriteAsync("linkdir/new.txt", "x", default));
        Assert.Throws<ToolException>(() => folder.List("linkdir"));
        Assert.False(File.Exists(Path.Combine(outside, "new.txt")));
    }

    [Fact]
    public async Task Symlinks_inside_are_allowed()
    {
        await folder.WriteAsync("real.txt", "inside", default);
        File.CreateSymbolicLink(Path.Combine(folder.Root, "alias.txt"), Path.Combine(folder.Root, "real.txt"));
        Assert.Equal("inside", await folder.ReadAsync("alias.txt", default));
    }

    [Fact]
    public async Task Huge_files_are_refused()
    {
        var ex = await Assert.ThrowsAsync<ToolException>(() => folder.WriteAsync("big.txt", new string('x', 101), default));
        Assert.Contains("over the limit of 100 bytes", ex.Message, StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(folder.Root, "big.txt"), new string('x', 500));
        ex = await Assert.ThrowsAsync<ToolException>(() => folder.ReadAsync("big.txt", default));
        Assert.Contains("500 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Root_cannot_be_deleted_and_missing_files_are_reported()
    {
        Assert.Throws<ToolException>(() => folder.Delete("."));
        Assert.Contains("does not exist", Assert.Throws<ToolException>(() => folder.Delete("nope.txt")).Message, StringComparison.Ordinal);
    }
}
