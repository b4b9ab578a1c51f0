using Agent.Web.Components.Shared;
using Agent.Web.Security;
using Agent.Web.Services;
using Bunit;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace Agent.Web.Tests;

/// <summary>
/// The bUnit base of every component test: MudBlazor services, loose JS interop and the action runner. A test registers
/// its own services first, then calls <see cref="RenderProviders"/> (bUnit refuses registrations after the first render).
/// </summary>
public abstract class AgentTestContext : BunitContext
{
    protected AgentTestContext()
    {
        Services.AddMudServices(o => o.SnackbarConfiguration.ShowTransitionDuration = 0);
        Services.AddScoped<ActionRunner>();
        Services.AddScoped<BrowserNotifications>();
        Services.AddSingleton<LiveUpdates>();
        Services.AddLogging();
        Services.AddSingleton(TimeProvider.System);

        // The caller is the loopback owner (tenant "local", administrator), as on a laptop without sign-in.
        Services.AddSingleton<IHttpContextAccessor>(new HttpContextAccessor { HttpContext = new DefaultHttpContext { User = LocalOwnerHandler.CreateOwner() } });
        Services.AddScoped<PrincipalTenant>();
        Services.AddScoped<ICurrentTenant>(sp => sp.GetRequiredService<PrincipalTenant>());
        Services.AddSingleton<AccessTokenService>();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    /// <summary>
    /// xUnit 2 disposes test classes synchronously, but Mud's services are only async-disposable: dispose the
    /// container asynchronously (which also disposes the renderer) and wait for it.
    /// </summary>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Renders the popover and dialog providers the pages' selects and confirmations need; returns the dialogs.</summary>
    protected IRenderedComponent<MudDialogProvider> RenderProviders()
    {
        Render<MudPopoverProvider>();
        return Render<MudDialogProvider>();
    }
}
