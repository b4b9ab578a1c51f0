using Agent.Domain.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace Agent.Web.Hosting;

/// <summary>
/// Where the app listens: <c>--urls</c>, <c>ASPNETCORE_URLS</c> or <c>Urls</c> in appsettings.json as ASP.NET Core
/// resolves them, else <see cref="HostSetup.DefaultUrl"/>. There is no sign-in yet, so every effective URL must be on
/// this machine.
/// </summary>
public static class ListenUrls
{
    public const string DefaultSource = "the default";

    /// <summary>The URLs Kestrel will bind, and the setting they came from (for the refusal message).</summary>
    public static (string Urls, string Source) Effective(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (configuration["urls"] is { Length: > 0 } urls && !string.IsNullOrWhiteSpace(urls))
        {
            return (urls, SourceOf(configuration, "urls"));
        }

        // Kestrel binds HTTP_PORTS / HTTPS_PORTS on every interface when no URLs are set.
        var ports = new[] { ("http_ports", "http"), ("https_ports", "https") }
            .SelectMany(p => (configuration[p.Item1] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(port => (Url: $"{p.Item2}://*:{port}", Key: p.Item1)))
            .ToList();
        if (ports.Count > 0)
        {
            return (string.Join(';', ports.Select(p => p.Url)), SourceOf(configuration, ports[0].Key));
        }

        return (HostSetup.DefaultUrl, DefaultSource);
    }

    public static void RefuseNonLoopback(string urls, string source)
    {
        ArgumentNullException.ThrowIfNull(urls);
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var host = Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Host : url;
            if (host is not ("127.0.0.1" or "localhost" or "[::1]"))
            {
                throw new OptionsValidationException("Urls", typeof(AgentOptions),
                    [$"Urls: '{url}' (from {source}) listens beyond this machine, and this version has no sign-in. Fix: bind to 127.0.0.1 (for example http://127.0.0.1:5080) and reach it through an SSH tunnel or an authenticating reverse proxy."]);
            }
        }
    }

    /// <summary>The last configuration source that sets <paramref name="key"/> wins, as in the configuration itself.</summary>
    private static string SourceOf(IConfiguration configuration, string key)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return key;
        }

        var provider = root.Providers.LastOrDefault(p => p.TryGet(key, out var value) && !string.IsNullOrWhiteSpace(value));
        return provider switch
        {
            CommandLineConfigurationProvider => "--" + key,
            EnvironmentVariablesConfigurationProvider e when e.ToString().Contains("ASPNETCORE_", StringComparison.Ordinal) => "ASPNETCORE_" + key.ToUpperInvariant(),
            EnvironmentVariablesConfigurationProvider e when e.ToString().Contains("DOTNET_", StringComparison.Ordinal) => "DOTNET_" + key.ToUpperInvariant(),
            EnvironmentVariablesConfigurationProvider => key.ToUpperInvariant(),
            JsonConfigurationProvider json => $"{key} in {json.Source.Path}",
            _ => key,
        };
    }
}
