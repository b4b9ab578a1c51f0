using System.Text;
using Agent.Domain.Voice;
using Agent.Runtime.Clients.Voice;
using Microsoft.Extensions.Logging.Abstractions;

namespace Agent.Providers.Tests;

/// <summary>The voice wire contracts: fixtures, frozen versions, the clients' real requests and the emulator's answers.</summary>
public sealed class VoiceContractTests(VoiceEmulatorFixture fixture) : IClassFixture<VoiceEmulatorFixture>
{
    public static readonly string[] Contracts = [WhisperHttpClient.Contract, KokoroHttpClient.Contract];

    public static string VoiceDir { get; } = Path.Combine(ContractFixtureTests.ContractsDir, "voice");

    public static TheoryData<string, string> GoodFixtures() => FixtureData("good");

    public static TheoryData<string, string> BadFixtures() => FixtureData("bad");

    [Fact]
    public void Every_voice_contract_loads_is_locked_and_has_good_and_bad_fixtures()
    {
        Assert.Equal(Contracts.Order(), Directory.GetFiles(VoiceDir, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order());
        var locked = File.ReadAllLines(Path.Combine(VoiceDir, "contracts.lock")).Where(l => l.Length > 0).Select(l => l.Split("  ", 2)).ToDictionary(p => p[1], p => p[0]);
        foreach (var id in Contracts)
        {
            var contract = Load(id);
            Assert.Equal(id, contract.Id);
            Assert.Contains("error", contract.Documents.Keys);
            var text = File.ReadAllText(Path.Combine(VoiceDir, id + ".yaml")).Replace("\r", "", StringComparison.Ordinal);
            var hash = "sha256-" + Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));
            Assert.True(locked.TryGetValue(id + ".yaml", out var expected) && expected == hash, $"{id}.yaml changed after it was published: add v2 instead.");
            Assert.True(Directory.GetFiles(Path.Combine(VoiceDir, "fixtures", id, "good")).Length >= 5);
            Assert.True(Directory.GetFiles(Path.Combine(VoiceDir, "fixtures", id, "bad")).Count(f => !f.EndsWith(".expect", StringComparison.Ordinal)) >= 5);
        }
    }

    [Theory]
    [MemberData(nameof(GoodFixtures))]
    public void Good_fixture_satisfies_its_contract(string contractId, string file)
    {
        var errors = Load(contractId).ValidateFixture(file, File.ReadAllBytes(Path.Combine(VoiceDir, "fixtures", contractId, "good", file)));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [Theory]
    [MemberData(nameof(BadFixtures))]
    public void Bad_fixture_is_rejected_with_the_expected_error(string contractId, string file)
    {
        var dir = Path.Combine(VoiceDir, "fixtures", contractId, "bad");
        var expected = File.ReadAllText(Path.Combine(dir, Path.GetFileNameWithoutExtension(file) + ".expect")).Trim();
        var errors = Load(contractId).ValidateFixture(file, File.ReadAllBytes(Path.Combine(dir, file)));
        Assert.True(errors.Any(e => e.Contains(expected, StringComparison.Ordinal)), $"expected '{expected}' among:\n{string.Join("\n", errors)}");
    }

    [Fact]
    public void Clients_read_good_answers_and_reject_bad_ones()
    {
        var stt = Path.Combine(VoiceDir, "fixtures", WhisperHttpClient.Contract);
        Assert.Equal("Grüße aus Köln.", WhisperHttpClient.ReadTranscript(File.ReadAllBytes(Path.Combine(stt, "good", "response-verbose.json"))));
        Assert.Throws<VoiceException>(() => WhisperHttpClient.ReadTranscript(File.ReadAllBytes(Path.Combine(stt, "bad", "response-text-number.json"))));
        var tts = Path.Combine(VoiceDir, "fixtures", KokoroHttpClient.Contract);
        foreach (var good in Directory.GetFiles(Path.Combine(tts, "good"), "*.wav"))
        {
            Assert.Equal("audio/wav", KokoroHttpClient.ReadAudio(File.ReadAllBytes(good), "audio/wav", "wav", 24_000, NullLogger.Instance).ContentType);
        }

        foreach (var bad in Directory.GetFiles(Path.Combine(tts, "bad"), "*.wav"))
        {
            var ex = Assert.Throws<VoiceException>(() => KokoroHttpClient.ReadAudio(File.ReadAllBytes(bad), "audio/wav", "wav", 24_000, NullLogger.Instance));
            Assert.Equal("malformed_response", ex.Error.Code);
        }
    }

    [Fact]
    public async Task The_clients_requests_and_the_emulators_answers_satisfy_the_contracts()
    {
        var phrase = Guid.NewGuid().ToString("N");
        using var harness = new VoiceHarness(v =>
        {
            v.Stt.Url = fixture.Server.SttUrl.ToString();
            v.Tts.Url = fixture.Server.TtsUrl.ToString();
        });
        await harness.Stt.TranscribeAsync(new VoiceAudio(WavFormat.Tone(TimeSpan.FromMilliseconds(321), 16_000, 500), "audio/wav"), CancellationToken.None);
        var speech = await harness.Tts.SpeakAsync(phrase, CancellationToken.None);

        var sttRequest = fixture.Server.Requests.All().Last(r => r.Path.EndsWith("transcriptions", StringComparison.Ordinal));
        var sttErrors = Load(WhisperHttpClient.Contract).ValidateMultipart(sttRequest.ContentType, sttRequest.Body);
        Assert.True(sttErrors.Count == 0, string.Join("\n", sttErrors));

        var ttsRequest = fixture.Server.Requests.All().Last(r => r.Path.EndsWith("speech", StringComparison.Ordinal) && Encoding.UTF8.GetString(r.Body).Contains(phrase, StringComparison.Ordinal));
        var ttsContract = Load(KokoroHttpClient.Contract);
        Assert.Empty(ttsContract.ValidateFixture("request-live.json", ttsRequest.Body));
        Assert.Empty(ttsContract.ValidateAudio("audio/wav", speech.Bytes));
    }

    private static VoiceWireContract Load(string id) => VoiceWireContract.Load(Path.Combine(VoiceDir, id + ".yaml"));

    private static TheoryData<string, string> FixtureData(string kind)
    {
        var data = new TheoryData<string, string>();
        foreach (var id in Contracts)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(VoiceDir, "fixtures", id, kind)).Select(Path.GetFileName).Where(f => !f!.EndsWith(".expect", StringComparison.Ordinal)).Order())
            {
                data.Add(id, file!);
            }
        }

        return data;
    }
}
