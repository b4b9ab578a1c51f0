using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Agent.Data;
using Agent.Web.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using static Agent.Web.Tests.TenantIsolationTests;

namespace Agent.Web.Tests;

/// <summary>
/// Settings → People over <c>/api/people</c> on the real host: an administrator manages the people of their own tenant
/// only (another tenant's id is 404), never themselves, never the tenant's last administrator; a member gets 403; a new
/// password, lock or role renews the person's security stamp and their access tokens follow at once.
/// </summary>
public sealed class PeopleApiTests
{
    private const string LongPassword = "a long enough password";

    [Fact]
    public async Task An_administrator_adds_lists_resets_locks_unlocks_promotes_and_removes_people_of_their_tenant()
    {
        await using var app = new AgentAppFactory();
        var ada = await PersonAsync(app, "ada", "acme", admin: true);
        await PersonAsync(app, "bob", "beta", admin: false);
        using var client = ClientWith(app, ada.Secret);

        // Added with a generated password, shown once; it signs in.
        using var added = await client.PostAsJsonAsync("/api/people", new { name = "carol", administrator = false });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var body = await added.Content.ReadFromJsonAsync<JsonElement>();
        var carol = body.GetProperty("person");
        var carolId = carol.GetProperty("id").GetString()!;
        Assert.Equal("member", carol.GetProperty("role").GetString());
        Assert.Equal("active", carol.GetProperty("status").GetString());
        var generated = body.GetProperty("password").GetString()!;
        Assert.Equal(24, generated.Length);
        Assert.True(await CheckPasswordAsync(app, carolId, generated));

        // A typed password is not echoed.
        using var typed = await client.PostAsJsonAsync("/api/people", new { name = "dan", password = LongPassword, administrator = true });
        Assert.Equal(HttpStatusCode.Created, typed.StatusCode);
        var dan = await typed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Null, dan.GetProperty("password").ValueKind);
        Assert.Equal("administrator", dan.GetProperty("person").GetProperty("role").GetString());

        // The list is the tenant's: ada, carol, dan; not bob of beta.
        var listed = await client.GetFromJsonAsync<JsonElement[]>("/api/people");
        Assert.Equal(["ada", "carol", "dan"], Names(listed!));

        // Reset: typed, then generated; each renews the stamp and the old password stops working.
        var stamp = await StampAsync(app, carolId);
        using (var reset = await client.PostAsJsonAsync($"/api/people/{carolId}/password", new { password = LongPassword }))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            Assert.Equal(JsonValueKind.Null, (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password").ValueKind);
        }

        Assert.True(await CheckPasswordAsync(app, carolId, LongPassword));
        Assert.False(await CheckPasswordAsync(app, carolId, generated));
        Assert.NotEqual(stamp, stamp = await StampAsync(app, carolId));
        using (var reset = await client.PostAsync(new Uri($"/api/people/{carolId}/password", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
            var again = (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("password").GetString()!;
            Assert.True(await CheckPasswordAsync(app, carolId, again));
        }

        Assert.NotEqual(stamp, stamp = await StampAsync(app, carolId));

        // Lock: carol's access token stops at once; unlock: it works again.
        var carolToken = await app.Services.GetRequiredService<AccessTokenService>().CreateAsync("acme", carolId, "carol's token", CancellationToken.None);
        using var carolClient = ClientWith(app, carolToken.Secret);
        using (var locked = await client.PostAsync(new Uri($"/api/people/{carolId}/lock", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
            Assert.Equal("locked", (await locked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        Assert.NotEqual(stamp, stamp = await StampAsync(app, carolId));
        using (var refused = await carolClient.GetAsync(new Uri("/api/sessions", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var unlocked = await client.PostAsync(new Uri($"/api/people/{carolId}/unlock", UriKind.Relative), null))
        {
            Assert.Equal("active", (await unlocked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }

        Assert.NotEqual(stamp, stamp = await StampAsync(app, carolId));
        using (var member = await carolClient.GetAsync(new Uri("/api/people", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Forbidden, member.StatusCode);
        }

        // Promote: her token carries the role at once.
        using (var promoted = await client.PatchAsJsonAsync($"/api/people/{carolId}", new { administrator = true }))
        {
            Assert.Equal("administrator", (await promoted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("role").GetString());
        }

        Assert.NotEqual(stamp, await StampAsync(app, carolId));
        Assert.Equal(HttpStatusCode.OK, (await carolClient.GetAsync(new Uri("/api/people", UriKind.Relative))).StatusCode);

        // Remove.
        using (var removed = await client.DeleteAsync(new Uri($"/api/people/{carolId}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        Assert.Equal(["ada", "dan"], Names((await client.GetFromJsonAsync<JsonElement[]>("/api/people"))!));
        Assert.Equal(HttpStatusCode.Unauthorized, (await carolClient.GetAsync(new Uri("/api/sessions", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Another_tenants_person_answers_404_for_every_route_and_is_never_listed()
    {
        await using var app = new AgentAppFactory();
        var ada = await PersonAsync(app, "ada", "acme", admin: true);
        var bob = await PersonAsync(app, "bob", "beta", admin: true);
        using var client = ClientWith(app, ada.Secret);
        var bobId = bob.Token.UserId!;
        var stamp = await StampAsync(app, bobId);

        var corpus = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Post, $"/api/people/{bobId}/password", new { password = LongPassword }),
            (HttpMethod.Post, $"/api/people/{bobId}/password", null),
            (HttpMethod.Post, $"/api/people/{bobId}/lock", null),
            (HttpMethod.Post, $"/api/people/{bobId}/unlock", null),
            (HttpMethod.Patch, $"/api/people/{bobId}", new { administrator = false }),
            (HttpMethod.Delete, $"/api/people/{bobId}", null),
            (HttpMethod.Delete, "/api/people/no-such-id", null),
        };
        foreach (var (method, path, body) in corpus)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}: {text}");
            Assert.DoesNotContain("bob", text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("bob", await client.GetStringAsync("/api/people"), StringComparison.Ordinal);
        Assert.Equal(stamp, await StampAsync(app, bobId));
        Assert.True(await CheckPasswordAsync(app, bobId, LongPassword));
    }

    [Fact]
    public async Task A_member_gets_403_on_every_route()
    {
        await using var app = new AgentAppFactory();
        var ada = await PersonAsync(app, "ada", "acme", admin: true);
        var mia = await PersonAsync(app, "mia", "acme", admin: false);
        using var client = ClientWith(app, mia.Secret);
        var adaId = ada.Token.UserId!;

        var corpus = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, "/api/people", null),
            (HttpMethod.Post, "/api/people", new { name = "eve", administrator = true }),
            (HttpMethod.Post, $"/api/people/{adaId}/password", null),
            (HttpMethod.Post, $"/api/people/{adaId}/lock", null),
            (HttpMethod.Post, $"/api/people/{adaId}/unlock", null),
            (HttpMethod.Patch, $"/api/people/{adaId}", new { administrator = false }),
            (HttpMethod.Delete, $"/api/people/{adaId}", null),
        };
        foreach (var (method, path, body) in corpus)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
        Assert.Null(await users.FindByNameAsync("eve"));
        Assert.True(await users.IsInRoleAsync((await users.FindByIdAsync(adaId))!, AgentClaims.Administrator));
    }

    [Fact]
    public async Task Bad_input_answers_400_with_the_reason_in_words()
    {
        await using var app = new AgentAppFactory();
        var ada = await PersonAsync(app, "ada", "acme", admin: true);
        await PersonAsync(app, "bob", "beta", admin: false);
        using var client = ClientWith(app, ada.Secret);

        async Task<string> RefusedAsync(HttpResponseMessage response)
        {
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"answered {(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.GetProperty("error").GetString()!;
        }

        Assert.Contains("at least 12 characters", await RefusedAsync(await client.PostAsJsonAsync("/api/people", new { name = "carol", password = "short" })), StringComparison.Ordinal);
        Assert.Contains("name is required", await RefusedAsync(await client.PostAsJsonAsync("/api/people", new { name = "  " })), StringComparison.Ordinal);
        Assert.Contains("already taken", await RefusedAsync(await client.PostAsJsonAsync("/api/people", new { name = "bob" })), StringComparison.Ordinal);
        Assert.Contains("invalid", await RefusedAsync(await client.PostAsJsonAsync("/api/people", new { name = "two words" })), StringComparison.Ordinal);
        Assert.Contains("administrator", await RefusedAsync(await client.PatchAsJsonAsync($"/api/people/{ada.Token.UserId}", new { })), StringComparison.Ordinal);

        using var added = await client.PostAsJsonAsync("/api/people", new { name = "carol" });
        var carolId = (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("person").GetProperty("id").GetString()!;
        var stamp = await StampAsync(app, carolId);
        Assert.Contains("at least 12 characters", await RefusedAsync(await client.PostAsJsonAsync($"/api/people/{carolId}/password", new { password = "short" })), StringComparison.Ordinal);
        Assert.Equal(stamp, await StampAsync(app, carolId));
        Assert.Equal(["ada", "carol"], Names((await client.GetFromJsonAsync<JsonElement[]>("/api/people"))!));
    }

    [Fact]
    public async Task An_administrator_cannot_remove_lock_or_demote_themselves()
    {
        await using var app = new AgentAppFactory();
        var ada = await PersonAsync(app, "ada", "acme", admin: true);
        await PersonAsync(app, "dan", "acme", admin: true);
        using var client = ClientWith(app, ada.Secret);
        var adaId = ada.Token.UserId!;

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Delete, $"/api/people/{adaId}", null),
            (HttpMethod.Post, $"/api/people/{adaId}/lock", null),
            (HttpMethod.Patch, $"/api/people/{adaId}", new { administrator = false }),
        })
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Conflict, $"{method} {path} answered {(int)response.StatusCode}: {text}");
            Assert.Contains("You cannot", text, StringComparison.Ordinal);
        }

        var ada2 = (await client.GetFromJsonAsync<JsonElement[]>("/api/people"))!.Single(p => p.GetProperty("id").GetString() == adaId);
        Assert.Equal("administrator", ada2.GetProperty("role").GetString());
        Assert.Equal("active", ada2.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_last_administrator_of_a_tenant_cannot_be_removed_or_demoted()
    {
        // The loopback owner administers tenant "local" without being one of its people: the only case where an
        // administrator can reach the tenant's last administrator without it being themselves.
        await using var app = new AgentAppFactory();
        var olga = await PersonAsync(app, "olga", "local", admin: true);
        using var owner = app.CreateClient();
        var olgaId = olga.Token.UserId!;

        using (var removed = await owner.DeleteAsync(new Uri($"/api/people/{olgaId}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.Conflict, removed.StatusCode);
            Assert.Contains("last administrator", await removed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var demoted = await owner.PatchAsJsonAsync($"/api/people/{olgaId}", new { administrator = false }))
        {
            Assert.Equal(HttpStatusCode.Conflict, demoted.StatusCode);
        }

        using var second = await owner.PostAsJsonAsync("/api/people", new { name = "pat", administrator = true });
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        using (var demoted = await owner.PatchAsJsonAsync($"/api/people/{olgaId}", new { administrator = false }))
        {
            Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        }

        using (var removed = await owner.DeleteAsync(new Uri($"/api/people/{olgaId}", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }
    }

    [Fact]
    public async Task The_service_refuses_a_caller_who_is_not_an_administrator()
    {
        await using var app = new AgentAppFactory();
        var ada = await PersonAsync(app, "ada", "acme", admin: true);
        var people = app.Services.GetRequiredService<PeopleService>();
        var member = new PeopleCaller("acme", "someone", Administrator: false);

        await Assert.ThrowsAsync<NotAnAdministratorException>(() => people.ListAsync(member, CancellationToken.None));
        await Assert.ThrowsAsync<NotAnAdministratorException>(() => people.AddAsync(member, "eve", null, administrator: true, CancellationToken.None));
        await Assert.ThrowsAsync<NotAnAdministratorException>(() => people.RemoveAsync(member, ada.Token.UserId!, CancellationToken.None));
        Assert.Single(await people.ListAsync(new PeopleCaller("acme", ada.Token.UserId, Administrator: true), CancellationToken.None));
    }

    private static string[] Names(JsonElement[] people) => [.. people.Select(p => p.GetProperty("name").GetString() ?? "")];

    private static async Task<string?> StampAsync(AgentAppFactory app, string userId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
        return await users.GetSecurityStampAsync((await users.FindByIdAsync(userId))!);
    }

    private static async Task<bool> CheckPasswordAsync(AgentAppFactory app, string userId, string password)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AgentUser>>();
        return await users.CheckPasswordAsync((await users.FindByIdAsync(userId))!, password);
    }
}
