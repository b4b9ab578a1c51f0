using Agent.Domain.Configuration;
using Agent.Domain.Providers;
using Agent.Domain.Tools;

namespace Agent.Domain.Tests;

public sealed class AgentOptionsValidatorTests
{
    private static AgentOptions Valid() => new()
    {
        Providers =
        [
            new() { Name = "deterministic", Kind = "Deterministic", Mode = "Deterministic", Models = [new() { Id = "scripted-echo", ContextWindow = 1000 }] },
            new() { Name = "openai", Kind = "OpenAICompatible", Mode = "Live", BaseUrl = "https://api.openai.com/v1", ApiKeyEnvVar = "OPENAI_API_KEY", Models = [new() { Id = "gpt-4o-mini", ContextWindow = 128000 }] },
        ],
    };

    [Fact]
    public void Valid_options_have_no_errors() => Assert.Empty(AgentOptionsValidator.Validate(Valid()));

    [Fact]
    public void Unknown_provider_kind_names_the_key_and_the_allowed_values()
    {
        var options = Valid();
        options.Providers[1].Kind = "OpenAl";

        var error = Assert.Single(AgentOptionsValidator.Validate(options));

        Assert.Equal("Agent:Providers:1:Kind", error.Key);
        Assert.Contains("'OpenAl' is not a provider kind", error.Problem, StringComparison.Ordinal);
        Assert.Contains("Deterministic, OpenAICompatible, Anthropic", error.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public void Numeric_kind_is_refused_even_though_enum_parsing_would_accept_it()
    {
        var options = Valid();
        options.Providers[1].Kind = "7";

        Assert.Contains(AgentOptionsValidator.Validate(options), e => e.Key == "Agent:Providers:1:Kind");
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0)]
    public void Non_positive_caps_are_refused(int value)
    {
        var options = Valid();
        options.Caps.MaxCallsPerMinuteTenant = value;

        var error = Assert.Single(AgentOptionsValidator.Validate(options));

        Assert.Equal("Agent:Caps:MaxCallsPerMinuteTenant", error.Key);
        Assert.Contains("must be positive", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Tenant_cap_above_global_cap_is_refused()
    {
        var options = Valid();
        options.Caps.MaxConcurrentCallsTenant = 20;
        options.Caps.MaxConcurrentCallsGlobal = 10;

        Assert.Equal("Agent:Caps:MaxConcurrentCallsTenant", Assert.Single(AgentOptionsValidator.Validate(options)).Key);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://example.test/v1")]
    [InlineData("")]
    public void Malformed_base_url_is_refused(string url)
    {
        var options = Valid();
        options.Providers[1].BaseUrl = url;

        var error = Assert.Single(AgentOptionsValidator.Validate(options));

        Assert.Equal("Agent:Providers:1:BaseUrl", error.Key);
        Assert.Contains("absolute http(s) URL", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_provider_names_are_refused()
    {
        var options = Valid();
        options.Providers[1].Name = "Deterministic";

        var errors = AgentOptionsValidator.Validate(options);

        Assert.Contains(errors, e => e.Key == "Agent:Providers:1:Name" && e.Problem.Contains("more than one provider", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_model_ids_are_refused()
    {
        var options = Valid();
        options.Providers[1].Models.Add(new() { Id = "gpt-4o-mini", ContextWindow = 5 });

        Assert.Contains(AgentOptionsValidator.Validate(options), e => e.Key == "Agent:Providers:1:Models:1:Id");
    }

    [Fact]
    public void A_key_pasted_where_the_variable_name_belongs_is_refused_without_echoing_it()
    {
        var options = Valid();
        var pasted = "sk" + "-" + new string('x', 30) + "/+=";
        options.Providers[1].ApiKeyEnvVar = pasted;

        var error = Assert.Single(AgentOptionsValidator.Validate(options));

        Assert.Equal("Agent:Providers:1:ApiKeyEnvVar", error.Key);
        Assert.DoesNotContain(pasted, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Mode_must_fit_kind()
    {
        var options = Valid();
        options.Providers[1].Mode = "Deterministic";

        Assert.Equal("Agent:Providers:1:Mode", Assert.Single(AgentOptionsValidator.Validate(options)).Key);
    }

    [Fact]
    public void Agent_profiles_need_unique_ids_and_names()
    {
        var options = Valid();
        options.Profiles.Add(new() { Id = "coder", Name = "Coder" });
        options.Profiles.Add(new() { Id = "Coder", Name = "" });

        var errors = AgentOptionsValidator.Validate(options);

        Assert.Equal(["Agent:Profiles:1:Id", "Agent:Profiles:1:Name"], errors.Select(e => e.Key));
    }

    [Fact]
    public void Default_provider_must_exist()
    {
        var options = Valid();
        options.DefaultProvider = "missing";

        Assert.Equal("Agent:DefaultProvider", Assert.Single(AgentOptionsValidator.Validate(options)).Key);
    }

    [Fact]
    public void Mcp_server_with_literal_env_value_is_refused_and_reference_is_accepted()
    {
        var options = Valid();
        options.McpServers["github"] = new() { Command = "npx", Args = ["-y", "server"], Env = { ["GITHUB_TOKEN"] = "literal-value" } };

        var error = Assert.Single(AgentOptionsValidator.Validate(options));
        Assert.Equal("Agent:McpServers:github:Env:GITHUB_TOKEN", error.Key);

        options.McpServers["github"].Env["GITHUB_TOKEN"] = "${GITHUB_TOKEN}";
        Assert.Empty(AgentOptionsValidator.Validate(options));
        var spec = Assert.Single(AgentOptionsValidator.ToMcpServerSpecs(options));
        Assert.Equal(McpTransport.Stdio, spec.Transport);
        Assert.Equal("GITHUB_TOKEN", spec.EnvironmentVariableNames["GITHUB_TOKEN"]);
    }

    [Fact]
    public void Mcp_server_needs_exactly_one_of_command_or_url()
    {
        var options = Valid();
        options.McpServers["both"] = new() { Command = "npx", Url = "http://127.0.0.1:3001/mcp" };
        options.McpServers["sse"] = new() { Url = "http://127.0.0.1:3001/sse", Type = "sse" };

        Assert.Equal("Agent:McpServers:both", Assert.Single(AgentOptionsValidator.Validate(options)).Key);
    }

    [Fact]
    public void Base_url_env_var_overrides_the_configured_url_when_it_holds_a_url()
    {
        var options = Valid();
        options.Providers[1].BaseUrlEnvVar = "OPENAI_BASE_URL";

        var specs = AgentOptionsValidator.ToProviderSpecs(options, name => name == "OPENAI_BASE_URL" ? "http://127.0.0.1:5090/v1" : null);

        Assert.Equal(new Uri("http://127.0.0.1:5090/v1"), specs[1].BaseUrl);
        Assert.Equal(ProviderMode.Live, specs[1].Mode);
    }
}
