using Agent.Web.Components.Shared;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Agent.Web.Tests;

/// <summary>The bUnit base of every component test: MudBlazor services, loose JS interop, the clock and the action runner.</summary>
public abstract class AgentTestContext : BunitContext, IAsyncLifetime
{
    protected AgentTestContext()
    {
        Services.AddMudServices(o => o.SnackbarConfiguration.ShowTransitionDuration = 0);
        Services.AddScoped<ActionRunner>();
        Services.AddLogging();
        Services.AddSingleton(TimeProvider.System);
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>Call after the test's own services are added, before rendering a component that opens popovers or menus.</summary>
    protected void RenderPopoverProvider() => Render<MudPopoverProvider>();

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>MudBlazor's services are only asynchronously disposable; xunit calls this before Dispose.</summary>
    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();
}
