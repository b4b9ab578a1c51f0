using Agent.Domain.Configuration;
using Agent.Domain.Tools;

namespace Agent.Domain.Tests;

public sealed class McpServerSpecTests
{
    private static AgentOptions Options(string arg)
    {
        var options = new AgentOptions();
        options.McpServers["fs"] = new McpServerOptions { Command = "node", Args = ["server.js", arg], Env = new() { ["TOKEN"] = "${FS_TOKEN}" } };
        return options;
    }

    [Fact]
    public void Two_reads_of_the_same_configuration_are_equal_specs()
    {
        var first = Assert.Single(AgentOptionsValidator.ToMcpServerSpecs(Options("/data")));
        var second = Assert.Single(AgentOptionsValidator.ToMcpServerSpecs(Options("/data")));

        Assert.NotSame(first.Args, second.Args);
        Assert.Equal(first, second);
        Assert.True(first == second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
    }

    [Fact]
    public void A_changed_argument_env_reference_or_toggle_is_a_different_spec()
    {
        var spec = Assert.Single(AgentOptionsValidator.ToMcpServerSpecs(Options("/data")));

        Assert.NotEqual(spec, Assert.Single(AgentOptionsValidator.ToMcpServerSpecs(Options("/other"))));
        Assert.NotEqual(spec, spec with { EnvironmentVariableNames = new Dictionary<string, string> { ["TOKEN"] = "OTHER" } });
        Assert.NotEqual(spec, spec with { Enabled = false });
    }

    [Theory]
    [InlineData("fs", true)]
    [InlineData("github-2", true)]
    [InlineData("my_server", true)]
    [InlineData("x", true)]
    [InlineData("a__b", false)]
    [InlineData("_lead", false)]
    [InlineData("-lead", false)]
    [InlineData("trail_", false)]
    [InlineData("dot.ted", false)]
    [InlineData("sp ace", false)]
    [InlineData("tenant/name", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void A_server_name_is_its_own_tool_name_prefix(string? name, bool valid)
    {
        Assert.Equal(valid, McpServerSpec.IsValidName(name));
    }

    [Fact]
    public void A_server_name_is_at_most_the_stated_length()
    {
        Assert.True(McpServerSpec.IsValidName(new string('a', McpServerSpec.MaxNameLength)));
        Assert.False(McpServerSpec.IsValidName(new string('a', McpServerSpec.MaxNameLength + 1)));
    }

    [Fact]
    public void A_bad_MCP_allowed_network_stops_start_up_naming_the_key()
    {
        var options = new AgentOptions();
        options.Mcp.AllowedNetworks.AddRange(["127.0.0.0/8", "10.0.0.0/33"]);
        var errors = AgentOptionsValidator.Validate(options);
        Assert.Contains(errors, e => e.Key == "Agent:Mcp:AllowedNetworks:1");
        Assert.DoesNotContain(errors, e => e.Key == "Agent:Mcp:AllowedNetworks:0");
    }
}
