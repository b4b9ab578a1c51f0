using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Domain.Runtime;
using Agent.Runtime.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests.Runtime;

public sealed class StateAndArtifactTests
{
    [Fact]
    public async Task Handlers_persist_state_log_events_and_register_artifacts_with_parents()
    {
        using var factory = new RuntimeAppFactory();
        var client = factory.CreateClient();
        // The runtime accepts only a session of the tenant.
        using var created = await client.PostAsJsonAsync("/api/sessions", new { title = "state" });
        var session = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        using var firstResponse = await client.SubmitAsync(TestIntents.Producer, sessionId: session);
        var first = (await firstResponse.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json))!;
        await client.WaitForStatusAsync(first.Id, "completed");
        var parent = await Single(client, first.Id);

        using var secondResponse = await client.SubmitAsync(TestIntents.Producer, new { parent = parent.GetProperty("id").GetGuid() }, sessionId: session);
        var second = (await secondResponse.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json))!;
        await client.WaitForStatusAsync(second.Id, "completed");
        var child = await Single(client, second.Id);
        Assert.Equal(parent.GetProperty("id").GetGuid(), child.GetProperty("parents")[0].GetGuid());
        Assert.Equal("test_producer", child.GetProperty("producedBy").GetProperty("intent").GetString());
        Assert.Equal(second.Id, child.GetProperty("producedBy").GetProperty("executionId").GetGuid());
        Assert.Equal("READY", child.GetProperty("lifecycle").GetString());
        Assert.Equal("db", child.GetProperty("materializations")[0].GetProperty("kind").GetString());

        // State surface: the session scope is shared across executions of the session, the execution scope is per execution.
        var state = factory.Services.GetRequiredService<StateSurfaceService>();
        Assert.Equal("2", await state.Session("local", session).GetAsync("turns", CancellationToken.None));
        Assert.Equal("written by the handler", await state.Execution("local", second.Id).GetAsync("note", CancellationToken.None));
        Assert.Null(await state.Execution("other", second.Id).GetAsync("note", CancellationToken.None));

        var events = (await client.EventsAsync(second.Id)).Select(e => (e.Kind, e.EventType)).ToList();
        Assert.Contains((WalEntryKind.DomainEvent, "test.produced"), events);
        Assert.Contains((WalEntryKind.DomainEvent, "test.done"), events);
        Assert.Contains((WalEntryKind.DomainEvent, "artifact.created"), events);

        // Lifecycle change through the registry, then list filters by lifecycle and type, with paging.
        var registry = factory.Services.GetRequiredService<ArtifactRegistry>();
        await registry.ChangeLifecycleAsync("local", parent.GetProperty("id").GetGuid(), ArtifactLifecycle.Archived, CancellationToken.None);
        await Assert.ThrowsAsync<ArtifactRuleException>(() => registry.ChangeLifecycleAsync("local", parent.GetProperty("id").GetGuid(), ArtifactLifecycle.Pending, CancellationToken.None));
        // The contract's upper-case name, and the case clients used before it.
        foreach (var name in new[] { "ARCHIVED", "Archived", "archived" })
        {
            using var archived = await client.PostAsJsonAsync("/api/artifact/list", new { lifecycle = name });
            var archivedItems = JsonDocument.Parse(await archived.Content.ReadAsStringAsync()).RootElement.GetProperty("items");
            var item = Assert.Single(archivedItems.EnumerateArray());
            Assert.Equal(parent.GetProperty("id").GetGuid(), item.GetProperty("id").GetGuid());
            Assert.Equal("ARCHIVED", item.GetProperty("lifecycle").GetString());
        }

        using var unknownLifecycle = await client.PostAsJsonAsync("/api/artifact/list", new { lifecycle = "3" });
        Assert.Equal(HttpStatusCode.BadRequest, unknownLifecycle.StatusCode);
        Assert.Contains("PENDING, READY, FAILED, ARCHIVED, DELETED", await Api.ErrorOf(unknownLifecycle), StringComparison.Ordinal);
        using var paged = await client.PostAsJsonAsync("/api/artifact/list", new { type = "test.summary", take = 1 });
        var page = JsonDocument.Parse(await paged.Content.ReadAsStringAsync()).RootElement;
        Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.True(page.GetProperty("hasMore").GetBoolean());

        // A parent that does not exist fails the execution with the reason; it never hangs in Running.
        var missing = Guid.NewGuid();
        using var orphanResponse = await client.SubmitAsync(TestIntents.Producer, new { parent = missing });
        Assert.Equal(HttpStatusCode.Accepted, orphanResponse.StatusCode);
        var orphan = (await orphanResponse.Content.ReadFromJsonAsync<ExecutionBody>(Api.Json))!;
        var failed = await client.WaitForStatusAsync(orphan.Id, "failed");
        Assert.Contains($"Parent artifact {missing} does not exist", failed.Error, StringComparison.Ordinal);
    }

    private static async Task<JsonElement> Single(HttpClient client, Guid executionId)
    {
        using var response = await client.PostAsJsonAsync("/api/artifact/list", new { executionId });
        var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items");
        return Assert.Single(items.EnumerateArray()).Clone();
    }
}
