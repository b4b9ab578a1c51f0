using Agent.Domain.Configuration;

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
}
