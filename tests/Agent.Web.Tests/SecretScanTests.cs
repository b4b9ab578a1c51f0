using System.Text;
using System.Text.RegularExpressions;
using Agent.Domain.Sessions;
using Microsoft.Data.Sqlite;

namespace Agent.Web.Tests;

/// <summary>Keys live in environment variables only: neither the repository nor the database may hold one.</summary>
public sealed partial class SecretScanTests
{
    private static readonly HashSet<string> SkippedFolders = new(StringComparer.Ordinal) { ".git", "bin", "obj", "node_modules", "data", "logs", "TestResults", "BenchmarkDotNet.Artifacts", ".artifacts" };

    [Fact]
    public void The_repository_holds_no_key_like_values()
    {
        var findings = new List<string>();
        foreach (var file in EnumerateFiles(RepoPaths.Root))
        {
            var bytes = File.ReadAllBytes(file);
            if (bytes.Length > 2_000_000 || bytes.AsSpan(0, Math.Min(bytes.Length, 8000)).Contains((byte)0))
            {
                continue;
            }

            findings.AddRange(KeyLikeValues(Encoding.UTF8.GetString(bytes)).Select(v => $"{Path.GetRelativePath(RepoPaths.Root, file)}: {Redact(v)}"));
        }

        Assert.True(findings.Count == 0, "Key-like values found:\n" + string.Join('\n', findings));
    }

    [Fact]
    public async Task The_database_holds_no_key_even_when_keys_are_set()
    {
        var key = "sk-" + Guid.NewGuid().ToString("N") + Guid.NewGuid().ToString("N");
        await using var app = new AgentAppFactory().WithEnvironmentVariable("OPENAI_API_KEY", key);
        using var client = app.CreateClient();
        await client.GetAsync(new Uri("/api/bootstrap", UriKind.Relative));
        var sessions = app.Services.GetService(typeof(Agent.Runtime.Services.SessionService)) as Agent.Runtime.Services.SessionService;
        await sessions!.CreateAsync(Tenant.LocalId, "scan me", CancellationToken.None);
        SqliteConnection.ClearAllPools();

        var text = string.Concat(Directory.GetFiles(Path.GetDirectoryName(app.DatabasePath)!).Select(ReadShared));

        Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        Assert.Empty(KeyLikeValues(text));
        Assert.Contains("scan me", text, StringComparison.Ordinal);
    }

    [Theory]
    // Samples are split so that this file itself holds no contiguous key-like value.
    [InlineData("OPENAI_API_KEY=sk-" + "proj-abcdefghijklmnopqrstuvwxyz0123456789")]
    [InlineData("key: sk-" + "ant-api03-abcdefghijklmnopqrstuvwxyz0123")]
    [InlineData("token 0123456789abcdef" + "0123456789abcdef01234567")]
    [InlineData("secret: QWxhZGRpbjpvcGVuIHNl" + "c2FtZSBhbmQgc29tZSBtb3JlIHRleHQ9PQ")]
    public void The_scanner_catches_typical_keys(string sample) => Assert.NotEmpty(KeyLikeValues(sample));

    [Theory]
    [InlineData("\"integrity\": \"sha512-abcdefghijklmnopqrstuvw" + "xyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789==\"")]
    [InlineData("public async Task Health_is_503_with_a_reason_when_the_database_cannot_be_read()")]
    [InlineData("OPENAI_API_KEY")]
    [InlineData("Migrations/20261122020820_Initial.Designer.cs")]
    public void The_scanner_ignores_names_and_package_hashes(string sample) => Assert.Empty(KeyLikeValues(sample));

    internal static IReadOnlyList<string> KeyLikeValues(string text)
    {
        var values = new List<string>();
        foreach (Match match in Candidate().Matches(text))
        {
            var value = match.Value;
            if (value.StartsWith("sha", StringComparison.Ordinal) && value.Contains('-', StringComparison.Ordinal))
            {
                continue; // package-lock integrity hashes
            }

            if (value.Contains("CREATE", StringComparison.Ordinal))
            {
                continue; // SQLite's schema records run a table's name, root page and CREATE statement together (tableAspNetUserClaimsAspNetUserClaims8CREATE)
            }

            var isProviderKey = value.StartsWith("sk-", StringComparison.Ordinal) || value.StartsWith("sk_", StringComparison.Ordinal);
            var isHex = value.All(Uri.IsHexDigit);
            var isBase64 = value.Any(char.IsUpper) && value.Any(char.IsLower) && value.Any(char.IsDigit)
                && !value.Contains('/', StringComparison.Ordinal) && !value.Contains('_', StringComparison.Ordinal) && !value.Contains('-', StringComparison.Ordinal);
            if (isProviderKey || isHex || isBase64)
            {
                values.Add(value);
            }
        }

        return values;
    }

    private static string ReadShared(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return reader.ReadToEnd();
    }

    private static IEnumerable<string> EnumerateFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder))
        {
            yield return file;
        }

        foreach (var child in Directory.EnumerateDirectories(folder).Where(d => !SkippedFolders.Contains(Path.GetFileName(d))))
        {
            foreach (var file in EnumerateFiles(child))
            {
                yield return file;
            }
        }
    }

    private static string Redact(string value) => value[..Math.Min(6, value.Length)] + "…(" + value.Length + " chars)";

    [GeneratedRegex(@"sk[-_][A-Za-z0-9_\-]{20,}|[A-Za-z0-9+/_\-]{40,}={0,2}")]
    private static partial Regex Candidate();
}
