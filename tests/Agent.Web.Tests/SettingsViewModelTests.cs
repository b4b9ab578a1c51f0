using System.Security.Claims;
using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Providers;
using Agent.Domain.Sessions;
using Agent.Domain.Storage;
using Agent.Runtime.Hosting;
using Agent.Runtime.Services;
using Agent.Web.Components.Pages;
using Agent.Web.Components.Shared;
using Agent.Web.Security;
using Agent.Web.Services;
using Agent.Web.Tests.Runtime;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Agent.Web.Tests;

/// <summary>The Settings page's view model on a temp SQLite file: what a member and an administrator see, the panel's state and words, the storage facts of the caller's tenant.</summary>
public sealed class SettingsViewModelTests
{
    private const string Unblock = "set OPENAI_API_KEY and restart the app";

    private static readonly CancellationToken None = CancellationToken.None;

    private static ProviderOptions Deterministic => new() { Name = "deterministic", Kind = "Deterministic", Mode = "Deterministic", ChunkDelayMs = 0, Models = [new ModelOptions { Id = "scripted-echo", ContextWindow = 32768 }] };

    private static ProviderOptions OpenAI => new() { Name = "openai", Kind = "OpenAICompatible", Mode = "Live", BaseUrl = "https://api.openai.com/v1", ApiKeyEnvVar = "OPENAI_API_KEY", Models = [new ModelOptions { Id = "gpt-4o-mini", ContextWindow = 128000 }] };

    [Fact]
    public async Task A_member_is_told_to_ask_an_administrator_and_an_administrator_what_to_set()
    {
        await using var services = await ServicesAsync(Person("acme", admin: false), OpenAI);
        var member = services.GetRequiredService<SettingsViewModel>();
        await member.LoadAsync(None);

        Assert.False(member.InstallDetails);
        Assert.False(member.IsAdministrator);
        Assert.Equal("ask an administrator to set it up", member.Providers.Single().Availability.Action);
        Assert.Equal(PanelStateKind.Blocked, member.State);
        Assert.Equal("New chats cannot get a reply: openai is blocked. It is not set up on this server. To unblock: ask an administrator to set it up.", member.StateMessage);

        await using var adminServices = await ServicesAsync(Person("acme", admin: true), OpenAI);
        var admin = adminServices.GetRequiredService<SettingsViewModel>();
        await admin.LoadAsync(None);

        Assert.True(admin.InstallDetails);
        Assert.Equal(Unblock, admin.Providers.Single().Availability.Action);
        Assert.Contains($"To unblock: {Unblock}.", admin.StateMessage, StringComparison.Ordinal);
        Assert.Equal("acme", admin.ControlPlaneScope.TenantId);
    }

    [Fact]
    public async Task The_storage_facts_count_the_callers_tenant_only_and_the_loopback_owner_acts_for_local()
    {
        await using var services = await ServicesAsync(LocalOwnerHandler.CreateOwner(), Deterministic, OpenAI);
        var sessions = services.GetRequiredService<ISessionStore>();
        var now = DateTimeOffset.UtcNow;
        await sessions.AddAsync(new ChatSession(Guid.NewGuid(), "local", "Mine", "deterministic", "scripted-echo", null, null, now, now), None);
        await sessions.AddAsync(new ChatSession(Guid.NewGuid(), "other", "Theirs", "deterministic", "scripted-echo", null, null, now, now), None);
        await sessions.AddAsync(new ChatSession(Guid.NewGuid(), "other", "Theirs too", "deterministic", "scripted-echo", null, null, now, now), None);
        var model = services.GetRequiredService<SettingsViewModel>();
        Assert.Equal(PanelStateKind.Empty, model.State);

        await model.LoadAsync(None);

        Assert.Null(model.StorageError);
        Assert.Equal(PanelStateKind.Ready, model.State);
        Assert.Null(model.StateMessage);
        Assert.Equal(1, model.Storage!.Sessions);
        Assert.Equal(0, model.Storage.Messages);
        Assert.False(string.IsNullOrEmpty(model.Storage.SchemaVersion));
        Assert.Equal(["deterministic", "openai"], model.Providers.Select(p => p.Spec.Name));
        Assert.Equal("deterministic", model.Default!.Value.Provider.Name);
        Assert.Equal(Tenant.LocalId, model.ControlPlaneScope.TenantId);
    }

    [Fact]
    public void Kinds_and_states_read_as_words()
    {
        Assert.Equal("OpenAI-compatible", SettingsViewModel.KindName(ProviderKind.OpenAICompatible));
        Assert.Equal("Anthropic", SettingsViewModel.KindName(ProviderKind.Anthropic));
        Assert.Equal("blocked", SettingsViewModel.Lower(ProviderState.Blocked));
    }

    private static ClaimsPrincipal Person(string tenantId, bool admin) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, Guid.NewGuid().ToString()),
            new Claim(AgentClaims.Tenant, tenantId),
            new Claim(ClaimTypes.Role, admin ? AgentClaims.Administrator : AgentClaims.Member),
        ],
        AgentClaims.Scheme));

    /// <summary>The caller as a circuit sees it (HttpContextAccessor keeps its user in an AsyncLocal, which an async set-up loses).</summary>
    private static PrincipalTenant CircuitOf(ClaimsPrincipal user)
    {
        var tenant = new PrincipalTenant(new HttpContextAccessor());
        tenant.UseCircuitUser(user);
        return tenant;
    }

    private static async Task<ServiceProvider> ServicesAsync(ClaimsPrincipal user, params ProviderOptions[] providers)
    {
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(Options.Create(new AgentOptions { Providers = [.. providers] }))
            .AddSingleton(new EnvironmentVariables(_ => null))
            .AddSingleton<ProviderCatalog>()
            .AddScoped(_ => CircuitOf(user))
            .AddScoped<ICurrentTenant>(sp => sp.GetRequiredService<PrincipalTenant>())
            .AddTransient<SettingsViewModel>()
            .AddAgentData(TestPaths.NewDatabasePath())
            .BuildServiceProvider();
        await services.GetRequiredService<AgentDatabase>().InitializeAsync(None);
        return services;
    }
}
