using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Agent.ProviderEmulator;
using Agent.Runtime.Clients;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Providers.Tests;

/// <summary>Every good fixture passes its contract, every bad one is rejected with its precise expected error.</summary>
public sealed class ContractFixtureTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    public static readonly string[] Contracts = ["openai.chat-completions.v1", "anthropic.messages.v1"];

    public static TheoryData<string, string> GoodFixtures() => FixtureData("good");

    public static TheoryData<string, string> BadFixtures() => FixtureData("bad");

    [Fact]
    public void Every_contract_file_loads_and_has_good_and_bad_fixtures()
    {
        var files = Directory.GetFiles(ContractsDir, "*.yaml");
        Assert.Equal(Contracts.Order(), files.Select(f => Path.GetFileNameWithoutExtension(f)).Order());
        foreach (var id in Contracts)
        {
            var contract = Load(id);
            Assert.Equal(id, contract.Id);
            Assert.Contains("request", contract.Documents.Keys);
            Assert.Contains("response", contract.Documents.Keys);
            Assert.Contains("error", contract.Documents.Keys);
            Assert.NotEmpty(contract.Stream.Events);
            Assert.True(Fixtures(id, "good").Count() >= 5, $"{id} needs good fixtures");
            Assert.True(Fixtures(id, "bad").Count() >= 5, $"{id} needs bad fixtures");
        }
    }

    [Theory]
    [MemberData(nameof(GoodFixtures))]
    public void Good_fixture_satisfies_its_contract(string contractId, string file)
    {
        var errors = Load(contractId).ValidateFixture(file, File.ReadAllBytes(Path.Combine(FixtureDir(contractId, "good"), file)));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [MemberData(nameof(BadFixtures))]
    public void Bad_fixture_is_rejected_with_the_expected_error(string contractId, string file)
    {
        var dir = FixtureDir(contractId, "bad");
        var expectFile = Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".expect");
        Assert.True(File.Exists(expectFile), $"{file} needs a .expect file with the error it must produce");
        var expected = File.ReadAllText(expectFile).Trim();
        var errors = Load(contractId).ValidateFixture(file, File.ReadAllBytes(Path.Combine(dir, file)));
        Assert.NotEmpty(errors);
        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"expected '{expected}' among:\n{string.Join("\n", errors)}");
    }

    [Theory]
    [MemberData(nameof(GoodFixtures))]
    public async Task Adapter_reads_every_good_response_and_stream_fixture(string contractId, string file)
    {
        if (!file.StartsWith("response", StringComparison.Ordinal) && !file.StartsWith("stream", StringComparison.Ordinal))
        {
            return;
        }

        var bytes = File.ReadAllBytes(Path.Combine(FixtureDir(contractId, "good"), file));
        var mediaType = file.EndsWith(".sse", StringComparison.Ordinal) ? "text/event-stream" : "application/json";
        using var harness = new ProviderHarness(
            fixture.Server,
            configureServices: s => s.AddHttpClient(ProviderClients.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new FixtureHandler(bytes, mediaType)));
        var client = harness.Client(contractId.StartsWith("openai", StringComparison.Ordinal) ? "openai" : "anthropic");
        if (file.StartsWith("stream", StringComparison.Ordinal))
        {
            var result = await StreamCollector.CollectAsync(client, [new ChatMessage(ChatRole.User, "hi")]);
            Assert.Null(result.Error);
            Assert.NotNull(result.Finish);
            Assert.True(result.Text.Length > 0 || result.Calls.Count > 0 || result.Updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Any());
            if (file.Contains("usage-final", StringComparison.Ordinal))
            {
                Assert.True(result.Usage!.CachedInputTokenCount > 0);
            }
        }
        else
        {
            var response = await client.GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);
            Assert.NotNull(response.Usage);
            Assert.NotNull(response.FinishReason);
        }
    }

    [Fact]
    public async Task Adapter_sends_requests_that_satisfy_the_contracts()
    {
        using var harness = new ProviderHarness(fixture.Server);
        var tool = AIFunctionFactory.Create((string city) => city, "get_weather", "Weather");
        foreach (var (provider, contractId) in new[] { ("openai", "openai.chat-completions.v1"), ("anthropic", "anthropic.messages.v1") })
        {
            var messages = ProviderHarness.Ask(Scenario.ToolCall);
            var first = await StreamCollector.CollectAsync(harness.Client(provider), messages, new ChatOptions { Tools = [tool], Temperature = 0.2f, MaxOutputTokens = 50 });
            messages.Add(new ChatMessage(ChatRole.Assistant, [new TextContent("Checking."), .. first.Calls]));
            messages.Add(new ChatMessage(ChatRole.Tool, first.Calls.Select(c => (AIContent)new FunctionResultContent(c.CallId, new { temperature = 18 })).ToList()));
            await harness.Client(provider).GetResponseAsync(messages, new ChatOptions { Tools = [tool] });
            foreach (var request in harness.RequestsFor(messages))
            {
                var errors = Load(contractId).ValidateFixture("request.json", Encoding.UTF8.GetBytes(request.Body));
                Assert.True(errors.Count == 0, $"{provider}: {string.Join("\n", errors)}\n{request.Body}");
            }
        }
    }

    [Theory]
    [InlineData("openai.chat-completions.v1", "v1/chat/completions")]
    [InlineData("anthropic.messages.v1", "v1/messages")]
    public async Task Emulator_streams_satisfy_the_contracts(string contractId, string path)
    {
        using var http = new HttpClient { BaseAddress = fixture.Server.BaseAddress };
        foreach (var scenario in new[] { Scenario.Ok, Scenario.ToolCall, Scenario.UsageFinal, Scenario.Utf8Split, Scenario.HostileMarkdown })
        {
            var body = contractId.StartsWith("openai", StringComparison.Ordinal)
                ? $$"""{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"[scenario:{{scenario}}] hi"}]}"""
                : $$"""{"model":"m","max_tokens":10,"stream":true,"messages":[{"role":"user","content":"[scenario:{{scenario}}] hi"}]}""";
            using var response = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            var bytes = await response.Content.ReadAsByteArrayAsync();
            var errors = Load(contractId).ValidateStream(bytes);
            Assert.True(errors.Count == 0, $"{scenario}: {string.Join("\n", errors)}");

            body = body.Replace("\"stream\":true", "\"stream\":false", StringComparison.Ordinal);
            using var whole = await http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"));
            errors = Load(contractId).ValidateFixture("response.json", await whole.Content.ReadAsByteArrayAsync());
            Assert.True(errors.Count == 0, $"{scenario} (non-streaming): {string.Join("\n", errors)}");
        }

        using var error = await http.PostAsync(path, new StringContent("""{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"[scenario:500] x"}]}""", Encoding.UTF8, "application/json"));
        Assert.Empty(Load(contractId).ValidateFixture("error.json", await error.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public void Contract_file_name_must_match_contract_and_version()
    {
        var temp = Path.Combine(Path.GetTempPath(), $"contract-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temp);
        try
        {
            var wrong = Path.Combine(temp, "openai.chat-completions.v2.yaml");
            File.Copy(Path.Combine(ContractsDir, "openai.chat-completions.v1.yaml"), wrong);
            var ex = Assert.Throws<InvalidDataException>(() => WireContract.Load(wrong));
            Assert.Contains("openai.chat-completions.v1.yaml", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(temp, recursive: true);
        }
    }

    private sealed class FixtureHandler(byte[] body, string mediaType) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }

    private static readonly Dictionary<string, WireContract> Loaded = [];

    private static WireContract Load(string id)
    {
        lock (Loaded)
        {
            if (!Loaded.TryGetValue(id, out var contract))
            {
                Loaded[id] = contract = WireContract.Load(Path.Combine(ContractsDir, id + ".yaml"));
            }

            return contract;
        }
    }

    private static TheoryData<string, string> FixtureData(string kind)
    {
        var data = new TheoryData<string, string>();
        foreach (var id in Contracts)
        {
            foreach (var file in Fixtures(id, kind))
            {
                data.Add(id, file);
            }
        }

        return data;
    }

    private static IEnumerable<string> Fixtures(string contractId, string kind) =>
        Directory.GetFiles(FixtureDir(contractId, kind))
            .Where(f => !f.EndsWith(".expect", StringComparison.Ordinal))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!;

    private static string FixtureDir(string contractId, string kind) => Path.Combine(ContractsDir, "fixtures", contractId, kind);

    internal static string ContractsDir { get; } = FindContracts();

    private static string FindContracts()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, ".sentinel", "contracts");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(".sentinel/contracts was not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A published contract version is frozen: changing its rules needs a new version file (and fixtures).</summary>
public sealed class ContractVersionLockTests
{
    [Fact]
    public void Every_contract_version_matches_its_locked_hash()
    {
        var dir = ContractFixtureTests.ContractsDir;
        var locked = File.ReadAllLines(Path.Combine(dir, "contracts.lock"))
            .Where(l => l.Length > 0)
            .Select(l => l.Split("  ", 2))
            .ToDictionary(p => p[1], p => p[0], StringComparer.Ordinal);
        foreach (var file in Directory.GetFiles(dir, "*.yaml").Select(Path.GetFileName))
        {
            Assert.True(locked.TryGetValue(file!, out var hash), $"{file} is not in contracts.lock: add the line sha256-BASE64-OF-SHA256, two spaces, the file name, when you publish it.");
            var text = File.ReadAllText(Path.Combine(dir, file!)).Replace("\r", "", StringComparison.Ordinal);
            var actual = "sha256-" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            Assert.True(hash == actual, $"{file} changed after it was published. Do not edit a published version: copy it to the next version (for example .v2.yaml) with its own fixtures folder, and point the adapter's Contract at it.");
        }
    }
}
