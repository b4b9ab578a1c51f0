using Agent.Data;
using Agent.Web.Components.Controls;
using Agent.Web.Security;
using Agent.Web.Tests.Runtime;
using Bunit;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Agent.Web.Tests;

/// <summary>
/// Settings → People as a component, on a real SQLite file with Identity, for the loopback owner (tenant "local"): the
/// tenant's people with role and status, the last administrator's Remove and Make member greyed out, and the form: a
/// field message for a bad name, Identity's refusal under it, a generated password shown once after an add.
/// </summary>
public sealed class PeopleSectionTests : AgentTestContext
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly IRenderedComponent<MudBlazor.MudPopoverProvider> popovers;

    public PeopleSectionTests()
    {
        Services.AddAgentData(TestPaths.NewDatabasePath());
        Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<AgentDbContext>>().CreateDbContext());
        Services.AddIdentityCore<AgentUser>(o =>
            {
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AgentDbContext>();
        Services.AddSingleton<PeopleService>();
        Services.GetRequiredService<AgentDatabase>().InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();

        // The row menu opens in the popover provider, outside the section's markup.
        popovers = Render<MudBlazor.MudPopoverProvider>();
        Render<MudBlazor.MudDialogProvider>();
    }

    private static PeopleCaller Owner => new("local", null, Administrator: true);

    [Fact]
    public async Task Lists_the_tenants_people_and_greys_out_removing_the_last_administrator()
    {
        var people = Services.GetRequiredService<PeopleService>();
        await people.AddAsync(Owner, "olga", null, administrator: true, CancellationToken.None);
        await people.AddAsync(Owner, "mia", null, administrator: false, CancellationToken.None);
        await people.AddAsync(new PeopleCaller("acme", null, Administrator: true), "zed", null, administrator: true, CancellationToken.None);

        var section = Render<PeopleSection>();
        section.WaitForAssertion(() => Assert.Equal("ready", section.Find("[data-people]").GetAttribute("data-people-state")), Wait);
        Assert.Equal(["mia", "olga"], section.FindAll("[data-person]").Select(p => p.GetAttribute("data-person") ?? "").ToArray());
        Assert.Equal("administrator", section.Find("[data-person=olga]").GetAttribute("data-person-role"));
        Assert.Equal("active", section.Find("[data-person=mia]").GetAttribute("data-person-status"));

        section.Find("[data-person-menu=olga] button").Click();
        popovers.WaitForAssertion(() => Assert.NotEmpty(popovers.FindAll("[data-person-action=remove]")), Wait);
        foreach (var action in new[] { "remove", "make-member" })
        {
            var item = popovers.Find($"[data-person-action={action}]");
            Assert.True(item.GetAttribute("aria-disabled") == "true" || (item.ClassName ?? "").Contains("disabled", StringComparison.Ordinal), item.OuterHtml);
        }

        Assert.Empty(popovers.FindAll("[data-person-action=lock][aria-disabled=true]"));
    }

    [Fact]
    public async Task The_form_says_what_is_wrong_and_shows_a_generated_password_once()
    {
        var people = Services.GetRequiredService<PeopleService>();
        await people.AddAsync(Owner, "olga", null, administrator: true, CancellationToken.None);
        var section = Render<PeopleSection>();
        section.WaitForAssertion(() => Assert.Equal("ready", section.Find("[data-people]").GetAttribute("data-people-state")), Wait);

        section.Find("#person-name").Change("two words");
        section.Find("[data-people-add]").Submit();
        section.WaitForAssertion(() => Assert.Contains("Use letters, digits and - . _ @ + only, no spaces.", section.Find("[data-people-add]").TextContent, StringComparison.Ordinal), Wait);

        section.Find("#person-name").Change("olga");
        section.Find("[data-people-add]").Submit();
        section.WaitForAssertion(() => Assert.Contains("Username 'olga' is already taken.", section.Find("[data-people-form-error]").TextContent, StringComparison.Ordinal), Wait);

        section.Find("#person-name").Change("mia");
        section.Find("[data-people-add]").Submit();
        section.WaitForAssertion(() => Assert.Equal("member", section.Find("[data-person=mia]").GetAttribute("data-person-role")), Wait);
        var password = section.Find("[data-people-password-shown=mia] [data-people-password]").TextContent;
        Assert.Equal(24, password.Length);
        Assert.Empty(section.FindAll("[data-people-form-error]"));

        // Shown once: the list read again (a new render) has no password.
        var again = Render<PeopleSection>();
        again.WaitForAssertion(() => Assert.Equal("ready", again.Find("[data-people]").GetAttribute("data-people-state")), Wait);
        Assert.Empty(again.FindAll("[data-people-password]"));
    }
}
