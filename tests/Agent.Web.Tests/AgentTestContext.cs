using Agent.Web.Components.Shared;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Agent.Web.Tests;

/// <summary>The bUnit base of every component test: MudBlazor services, loose JS interop, popovers and the action runner.</summary>
public abstract class AgentTestContext : BunitContext
{
    protected AgentTestContext()
    {
        Services.AddMudServices(o => o.SnackbarConfiguration.ShowTransitionDuration = 0);
        Services.AddScoped<ActionRunner>();
        Services.AddLogging();
        JSInterop.Mode = JSRuntimeMode.Loose;
        Render<MudPopoverProvider>();
    }
}
