using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;

namespace Agent.Web.Hosting;

/// <summary>
/// Where the app listens: <c>--urls</c>, <c>ASPNETCORE_URLS</c> or <c>Urls</c> in appsettings.json as ASP.NET Core
/// resolves them, else <see cref="HostSetup.DefaultUrl"/>. Any address is accepted; requests that do not come from
/// this machine must sign in (see Security/LoopbackRule and Security/SignInReadiness).
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

    /// <summary>The URLs that listen on an address other than loopback (where strangers must sign in).</summary>
    public static IReadOnlyList<string> BeyondThisMachine(string urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(url =>
            {
                var host = Uri.TryCreate(url.Replace("*", "0.0.0.0", StringComparison.Ordinal).Replace("+", "0.0.0.0", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Host : url;
                return host is not ("127.0.0.1" or "localhost" or "[::1]");
            })
            .ToList();
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
