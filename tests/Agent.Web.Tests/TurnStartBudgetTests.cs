using Agent.ProviderEmulator;
using Xunit.Abstractions;

namespace Agent.Web.Tests;

/// <summary>
/// The store calls one send makes before the provider has its request (counted by the same decorator as the
/// turn-start bench, tests/Agent.Benchmarks/TurnStartBench.cs): a budget, not a timing.
/// </summary>
public sealed class TurnStartBudgetTests(ITestOutputHelper output)
{
    /// <summary>
    /// Calls on the Agent.Domain.Storage interfaces from <c>ChatCoordinator.SendAsync</c> of the next message in a
    /// session until the provider emulator has read the request. Set to the count measured on the code before the
    /// turn-path rewrite (issue 20: 21 calls, listed with their callers in tests/Agent.Benchmarks/RESULTS-turn-start.md,
    /// row "before"). After it, still 21 but other ones: the self-contained turn reads its reply and writes its in-flight
    /// state entry, while the coordinator no longer reads the branch's end or builds the request, the turn reuses the
    /// session the coordinator read, and "what the model saw" is written after the stream (it used to collide with the
    /// runtime's start transition on SQLite's write lock). Then 18: the tool and skill switches are read once per tenant
    /// and kept until they change (<c>ConfigOverrides</c>), not three times per turn. Lower this constant with each cut,
    /// never raise it.
    /// </summary>
    private const int StoreCallBudget = 18;

    [Fact]
    public async Task The_next_message_stays_within_the_store_call_budget_before_the_provider_request()
    {
        await using var emulator = await EmulatorServer.StartAsync(new EmulatorSettings { ChunkDelayMs = 0 });
        await using var turns = await EmulatedTurns.StartAsync(emulator);
        await turns.SendAndSettleAsync("the first message");

        var sample = await turns.MeasureSendAsync("the next message");

        var calls = string.Join("; ", sample.StoreCalls.ByMethod.Where(m => m.IsStorage).Select(m => $"{m.Name} x{m.Count} from {m.Callers}"));
        output.WriteLine($"{sample.StoreCalls.StorageCount} store calls (+{sample.StoreCalls.OtherCount} other), {sample.SkillFilesRead} SKILL.md reads: {calls}");
        Assert.True(sample.StoreCalls.StorageCount <= StoreCallBudget,
            $"One send made {sample.StoreCalls.StorageCount} store calls before the provider request, over the budget of {StoreCallBudget}: {calls}");
    }
}
