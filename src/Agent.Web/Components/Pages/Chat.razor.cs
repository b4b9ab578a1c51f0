using Agent.Domain.Providers;
using Agent.Domain.Sessions;
using Agent.Runtime.Services;
using Agent.Web.Components.Shared;
using Agent.Web.Services;
using Microsoft.AspNetCore.Components;

namespace Agent.Web.Components.Pages;

/// <summary>The start page (no session) and one open session.</summary>
public sealed partial class Chat
{
    private ChatSession? session;
    private bool loaded;

    [Parameter]
    public Guid? SessionId { get; set; }

    [Inject]
    public required ICurrentTenant CurrentTenant { get; init; }

    [Inject]
    public required SessionService Sessions { get; init; }

    [Inject]
    public required ProviderCatalog Providers { get; init; }

    [Inject]
    public required NavigationManager Navigation { get; init; }

    [Inject]
    public required ActionRunner Actions { get; init; }

    private string StartMessage
    {
        get
        {
            if (Providers.Default is not { } chosen)
            {
                return "No provider with a model is configured; add one under Agent:Providers in appsettings.json.";
            }

            var deterministic = Providers.AvailabilityOf(chosen.Provider.Name).State == ProviderState.Deterministic ? " (deterministic)" : "";
            return $"No session selected. Start a new chat; it will use {chosen.Provider.Name} · {chosen.Model.Id}{deterministic}.";
        }
    }

    protected override async Task OnParametersSetAsync()
    {
        if (SessionId is { } id && session?.Id != id)
        {
            loaded = false;
            session = await Sessions.FindAsync(CurrentTenant.TenantId, id, CancellationToken.None);
            loaded = true;
        }
        else if (SessionId is null)
        {
            session = null;
        }
    }

    private Task CreateSessionAsync() => Actions.RunAsync(async () =>
    {
        var created = await Sessions.CreateAsync(CurrentTenant.TenantId, null, CancellationToken.None);
        Navigation.NavigateTo($"/chat/{created.Id}");
    });
}
