using System.Text.Json.Serialization;
using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Web.Api;
using Agent.Web.Chat;
using Agent.Web.Clients;
using Agent.Web.Components;
using Agent.Web.Components.Chat;
using Agent.Web.Components.Shared;
using Agent.Web.ControlPlane;
using Agent.Web.Runtime;
using Agent.Web.Services;
using Agent.Web.Tools;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Serilog;

namespace Agent.Web.Hosting;

public static class HostSetup
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplicationBuilder AddAgentHost(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var contentRoot = builder.Environment.ContentRootPath;
        builder.Services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(contentRoot, "data", "keys")));

        // Static assets of packages (_content/MudBlazor) are served from the build's manifest in every environment.
        builder.WebHost.UseStaticWebAssets();
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]) && string.IsNullOrWhiteSpace(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        RefuseNonLoopbackUrls(builder.Configuration["urls"]);

        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}")
            .WriteTo.File(
                Path.Combine(contentRoot, "logs", "agent-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 7,
                outputTemplate: "{Timestamp:o} [{Level:u3}] {SourceContext} {Message:lj} {Properties:j}{NewLine}{Exception}")
            .CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);

        builder.Services.AddOptions<AgentOptions>()
            .Bind(builder.Configuration.GetSection(AgentOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidation>();

        builder.Services.AddSingleton(sp => AppInfo.From(sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<IOptions<AgentOptions>>().Value));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(EnvironmentVariables.Process);
        builder.Services.AddAgentData(sp => sp.GetRequiredService<AppInfo>().DatabasePath);
        builder.Services.AddHostedService<DatabaseStartup>();
        builder.Services.AddHostedService<InterruptedReplyRecovery>();

        builder.Services.AddSingleton<ProviderCatalog>();
        builder.Services.AddProviderClients();
        builder.Services.AddSingleton<SkillCatalog>();
        builder.Services.AddSingleton<BootstrapService>();
        builder.Services.AddSingleton<SessionService>();
        builder.Services.AddSingleton<MarkdownRenderer>();
        builder.Services.AddSingleton<IChatClientSource, ProviderChatClientSource>();
        builder.Services.AddSingleton<ChatCoordinator>();
        builder.Services.AddAgentTools();
        builder.Services.AddIntent(SendMessageIntent.Name, nameof(SendMessageHandler), sp => new SendMessageHandler(sp), SendMessageIntent.Metadata);
        builder.Services.AddExecutionRuntime(builder.Configuration);
        builder.Services.AddRuntimeControlPlane();

        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddScoped<ActionRunner>();
        builder.Services.AddTransient<ChatSessionViewModel>();
        return builder;
    }

    /// <summary>There is no sign-in yet, so the app only listens on this machine.</summary>
    private static void RefuseNonLoopbackUrls(string? urls)
    {
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Host : url;
            if (host is not ("127.0.0.1" or "localhost" or "[::1]"))
            {
                throw new OptionsValidationException("Urls", typeof(AgentOptions),
                    [$"Urls: '{url}' listens beyond this machine, and this version has no sign-in. Fix: bind to 127.0.0.1 (for example http://127.0.0.1:5080) and reach it through an SSH tunnel or an authenticating reverse proxy."]);
            }
        }
    }

    public static WebApplication UseAgentHost(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseStaticFiles();
        app.UseAntiforgery();
        app.MapAgentApi();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            foreach (var address in addresses)
            {
                Console.WriteLine($"Personal Agent Chat is running at {address}");
            }
        });
        return app;
    }
}
