using Agent.Domain.Configuration;
using Agent.Domain.Tools;
using Agent.Runtime.Teams;
using Agent.Runtime.Tools;
using Microsoft.Extensions.AI;

namespace Agent.Web.Tests;

/// <summary>What a member may call: its profile's tools (ask_agent kept while the depth allows it) and only its skills.</summary>
public sealed class TeamProfileToolsTests
{
    private static RegisteredTool Tool(string name, Func<AIFunctionArguments, CancellationToken, ValueTask<object?>>? invoke = null) =>
        new(new AgentTool(name, name, """{"type":"object"}""", ToolSource.BuiltIn, ToolEffects.None, invoke ?? ((_, _) => ValueTask.FromResult<object?>(name))),
            new ToolSpec(name, name, "{}", ToolSource.BuiltIn, ToolEffects.None, ToolApproval.Always, true));

    private static readonly ToolSet All = new([Tool("current_time"), Tool("calculator"), Tool(AskAgentToolSource.ToolName), Tool(BuiltInTools.LoadSkill, (args, _) => ValueTask.FromResult<object?>($"loaded {args["name"]}"))]);

    [Fact]
    public void A_profile_without_tools_keeps_every_tool()
    {
        Assert.Equal(All.Tools.Select(t => t.Spec.Name), RunTeamTaskHandler.ForProfile(All, new AgentProfileOptions { Id = "coder", Name = "Coder" }).Tools.Select(t => t.Spec.Name));
    }

    [Fact]
    public void A_profile_with_tools_keeps_those_and_ask_agent()
    {
        var set = RunTeamTaskHandler.ForProfile(All, new AgentProfileOptions { Id = "coder", Name = "Coder", Tools = ["calculator"] });
        Assert.Equal(["calculator", AskAgentToolSource.ToolName], set.Tools.Select(t => t.Spec.Name).ToArray());
    }

    [Fact]
    public async Task Load_skill_refuses_skills_the_profile_does_not_name()
    {
        var set = RunTeamTaskHandler.ForProfile(All, new AgentProfileOptions { Id = "coder", Name = "Coder", Skills = ["review"] });
        var loadSkill = set.Find(BuiltInTools.LoadSkill)!.Function;

        Assert.Equal("loaded review", await loadSkill.InvokeAsync(new AIFunctionArguments(new Dictionary<string, object?> { ["name"] = "review" })));
        var refused = await Assert.ThrowsAsync<ToolException>(async () => await loadSkill.InvokeAsync(new AIFunctionArguments(new Dictionary<string, object?> { ["name"] = "deploy" })));
        Assert.Equal("Coder may load only these skills: review.", refused.Message);
        Assert.Contains("Skills this agent may load: review.", loadSkill.Description, StringComparison.Ordinal);
    }
}
