using System.Text.Json.Serialization;
using Agent.Data;
using Agent.Domain.Configuration;
using Agent.Domain.Telemetry;
using Agent.Runtime.Chat;
using Agent.Runtime.Chat.Context;
using Agent.Runtime.Clients;
using Agent.Runtime.Clients.Voice;
using Agent.Runtime.Hosting;
using Agent.Runtime.Mcp;
using Agent.Runtime.Memories;
using Agent.Runtime.Runtime;
using Agent.Runtime.Services;
using Agent.Runtime.Teams;
using Agent.Runtime.Telemetry;
using Agent.Runtime.Tools;
using Agent.Web.Api;
using Agent.Web.Components;
using Agent.Web.Components.Chat;
using Agent.Web.Components.Shared;
using Agent.Web.ControlPlane;
using Agent.Web.Security;
using Agent.Web.Services;
using Agent.Web.Telemetry;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using MudBlazor.Services;
using Serilog;
using Serilog.Events;

namespace Agent.Web.Hosting;

public static class HostSetup
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplicationBuilder AddAgentHost(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var contentRoot = builder.Environment.ContentRootPath;

        // Keys sit beside the database (data/keys by default), not in $HOME/.aspnet; resolved after all configuration is in.
        builder.Services.AddDataProtection();
        builder.Services.AddOptions<KeyManagementOptions>().Configure<AppInfo, ILoggerFactory>((o, app, loggers) =>
            o.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(app.DataProtectionKeysPath), loggers));

        // Static assets of packages (_content/MudBlazor) are served from the build's manifest in every environment.
        builder.WebHost.UseStaticWebAssets();
        var (_, source) = ListenUrls.Effective(builder.Configuration);
        if (source == ListenUrls.DefaultSource)
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // preserveStaticLogger: each host (tests run several at once) keeps its own logger; nothing writes the static Log.Logger.
        builder.Services.AddSerilog(
            (services, logger) => logger
            .ReadFrom.Configuration(builder.Configuration)
            .ReadFrom.Services(services)
            .Enrich.FromLogContext()
            .Enrich.With<SecretRedaction>()
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {Properties:j}{NewLine}{Exception}")
            .WriteTo.File(
                Path.Combine(contentRoot, "logs", "agent-.log"),
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 7,
                shared: true, // several hosts (tests run many at once, or a second instance) append to the same file without overwriting each other's lines
                outputTemplate: "{Timestamp:o} [{Level:u3}] {SourceContext} {Message:lj} {Properties:j}{NewLine}{Exception}"),
            preserveStaticLogger: true);

        builder.Services.AddOptions<AgentOptions>()
            .Bind(builder.Configuration.GetSection(AgentOptions.SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidation>();

        builder.Services.AddSingleton(sp => AppInfo.From(sp.GetRequiredService<IHostEnvironment>(), sp.GetRequiredService<IOptions<AgentOptions>>().Value));
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(EnvironmentVariables.Process);
        builder.Services.AddAgentData(sp => sp.GetRequiredService<AppInfo>().DatabasePath);
        builder.Services.AddHostedService<SignInReadiness>();
        builder.Services.AddHostedService<DatabaseStartup>();
        builder.AddAgentSecurity();
        builder.Services.AddHostedService<InterruptedReplyRecovery>();

        builder.Services.AddSingleton<ProviderCatalog>();
        builder.Services.AddProviderClients();
        builder.Services.AddVoice();
        builder.Services.AddSingleton<ConfigOverrides>();
        builder.Services.AddSingleton<SkillCatalog>();
        builder.Services.AddSingleton<BootstrapService>();
        builder.Services.AddSingleton<ChatSettingsStore>();
        builder.Services.AddSingleton<SessionService>();
        builder.Services.AddSingleton<MarkdownRenderer>();
        builder.Services.AddSingleton<ITokenCounter, TiktokenTokenCounter>();
        builder.Services.AddAgentTelemetry(builder.Configuration);
        builder.Services.AddSingleton<BudgetGuard>();
        builder.Services.AddSingleton<ExecutionTraceService>();
        builder.Services.AddTransient<Components.Pages.TokensViewModel>();
        builder.Services.AddScoped<Components.Pages.RunsViewModel>();
        builder.Services.AddTransient<Components.Pages.TeamViewModel>();
        builder.Services.AddTransient<Components.Pages.MemoryViewModel>();
        builder.Services.AddTransient<Components.Pages.SettingsViewModel>();
        builder.Services.AddSingleton<IChatClientSource, ProviderChatClientSource>();
        builder.Services.AddSingleton<TurnUsageBoard>();
        builder.Services.AddSingleton<ChatTurnStreamer>();
        builder.Services.AddSingleton<ChatCoordinator>();
        builder.Services.AddSingleton<ISessionTurnStopper>(sp => sp.GetRequiredService<ChatCoordinator>());
        builder.Services.AddSingleton<ChatContextService>();
        builder.Services.AddSingleton<SessionCompactor>();
        builder.Services.AddSingleton<TurnCompaction>();
        builder.Services.AddSingleton<CheckpointService>();
        builder.Services.AddIntent(CompactSessionIntent.Name, nameof(CompactSessionHandler), sp => new CompactSessionHandler(sp.GetRequiredService<SessionCompactor>()), CompactSessionIntent.Metadata);
        builder.Services.AddSingleton<MemoryService>();
        builder.Services.AddSingleton<MemorySummarizer>();
        builder.Services.AddSingleton<AttachmentService>();
        builder.Services.AddIntent(IngestAttachmentIntent.Name, nameof(IngestAttachmentHandler), sp => ActivatorUtilities.CreateInstance<IngestAttachmentHandler>(sp), IngestAttachmentIntent.Metadata);
        builder.Services.AddIntent(SummarizeDayIntent.Name, nameof(SummarizeDayHandler), sp => ActivatorUtilities.CreateInstance<SummarizeDayHandler>(sp), SummarizeDayIntent.Metadata);
        builder.Services.AddAgentTools();
        builder.Services.AddMcpServers();
        builder.Services.AddTeams();
        builder.Services.AddIntent(SendMessageIntent.Name, nameof(SendMessageHandler), sp => new SendMessageHandler(sp.GetRequiredService<ChatTurnStreamer>()), SendMessageIntent.Metadata);
        builder.Services.AddSingleton<IExecutionReplySource, ChatReplySource>();
        builder.Services.AddExecutionRuntime(builder.Configuration);
        builder.Services.AddRuntimeControlPlane();
        builder.Services.AddHostedService<EpisodeScheduler>();
        builder.Services.AddHostedService<TrashSweeper>();

        // A body that does not bind (malformed JSON, {"text": 5}) throws, and ExplainBadRequests answers 400 with the reason.
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddMudServices();
        builder.Services.AddScoped<ActionRunner>();
        builder.Services.AddScoped<SessionCommands>();
        builder.Services.AddScoped<BrowserNotifications>();
        builder.Services.AddSingleton<LiveUpdates>();
        builder.Services.AddTransient<ChatSessionViewModel>();
        return builder;
    }

    public static WebApplication UseAgentHost(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
        }

        app.UseSerilogRequestLogging(o =>
        {
            o.Logger = app.Services.GetRequiredService<Serilog.ILogger>();

            // The path only (RequestPath has no query string) and no headers: a key in a URL or header never reaches the log.
            // The status is the one sent: a refused request is a warning, not an error.
            o.GetLevel = (http, _, error) => error is not null || http.Response.StatusCode >= 500 ? LogEventLevel.Error
                : http.Response.StatusCode >= 400 ? LogEventLevel.Warning
                : http.Request.Path.StartsWithSegments("/health") || http.Request.Path.StartsWithSegments("/_framework") || http.Request.Path.StartsWithSegments("/_content") || http.Request.Path.StartsWithSegments("/_blazor") ? LogEventLevel.Debug
                : LogEventLevel.Information;
        });

        // Inside the request log, so a body that does not bind is logged with the 400 it got, not as a 500.
        app.Use(ExplainBadRequests);
        app.UseStatusCodePages(ExplainEmptyErrorAsync);

        // Before static files, so scripts and styles are sent with nosniff too.
        app.Use(SecurityHeaders.AddAsync);
        app.UseStaticFiles();
        app.UseAgentSecurity();
        app.UseAntiforgery();
        app.MapAccountEndpoints();
        app.MapAgentApi();
        // Our Content-Security-Policy already says frame-ancestors 'none' (stricter than Blazor's own 'self' header, which would be a second policy).
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

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

    /// <summary>
    /// A 4xx the framework answers without a body (405 from routing, 415 or 413 from a typed body, 404 of an unknown
    /// /api path) gets {"error": "..."} like the app's own refusals. Endpoints that speak another protocol write their
    /// own bodies, which this never replaces.
    /// </summary>
    private static Task ExplainEmptyErrorAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        var unknownPage = status == StatusCodes.Status404NotFound && !http.Request.Path.StartsWithSegments("/api");
        if (status is < 400 or >= 500 || unknownPage)
        {
            return Task.CompletedTask;
        }

        var error = status switch
        {
            StatusCodes.Status404NotFound => $"There is no API route {http.Request.Path}.",
            StatusCodes.Status405MethodNotAllowed => $"{http.Request.Method} is not allowed on {http.Request.Path}.",
            StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
            StatusCodes.Status415UnsupportedMediaType => $"The body's content type '{http.Request.ContentType}' is not accepted here; send application/json.",
            _ => $"The request was refused ({status}).",
        };
        return http.Response.WriteAsJsonAsync(new { error }, http.RequestAborted);
    }

    /// <summary>Every 400 says why: a body that does not bind (or is too large) gets {"error": "..."} naming the problem.</summary>
    private static async Task ExplainBadRequests(HttpContext http, RequestDelegate next)
    {
        try
        {
            await next(http);
        }
        catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
        {
            var detail = ex.InnerException is System.Text.Json.JsonException json ? $" {json.Message}" : "";
            http.Response.StatusCode = ex.StatusCode;
            await http.Response.WriteAsJsonAsync(new { error = ex.Message + detail }, http.RequestAborted);
        }
    }
}
