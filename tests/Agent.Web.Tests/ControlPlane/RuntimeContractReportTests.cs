using Agent.Runtime.ControlPlane;
using Agent.Web.ControlPlane;

namespace Agent.Web.Tests.ControlPlane;

public sealed class RuntimeContractReportTests
{
    [Fact]
    public void The_checked_in_report_is_what_the_code_generates()
    {
        var path = Path.Combine(RepoPaths.Root, RuntimeContractReport.RelativePath);
        Assert.True(File.Exists(path), $"{RuntimeContractReport.RelativePath} is missing. Fix: dotnet run --project src/Agent.Web -- {RuntimeContractReport.Command}");
        var checkedIn = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.True(checkedIn == RuntimeContractReport.Render(),
            $"{RuntimeContractReport.RelativePath} differs from the code. Fix: dotnet run --project src/Agent.Web -- {RuntimeContractReport.Command}, then commit it.");
    }

    [Fact]
    public void The_report_shows_the_contract_and_never_a_secret()
    {
        var report = RuntimeContractReport.Render();
        Assert.Contains("`tenantmap:did:{{DID_E164}}`", report, StringComparison.Ordinal);
        Assert.Contains("`tenantcfg:{{TENANT_ID}}`", report, StringComparison.Ordinal);
        Assert.Contains("\"webhookSecret\": \"REDACTED\"", report, StringComparison.Ordinal);
        Assert.DoesNotContain(RuntimeContractReport.Sample.WebhookSecret!, report, StringComparison.Ordinal);
        foreach (var error in new[] { "runtime_publish_failed", "runtime_config_read_failed", "runtime_map_failed", "runtime_unmap_failed", "runtime_lookup_failed", "runtime_health_failed", "runtime_admin_disabled" })
        {
            Assert.Contains($"\"{error}\"", report, StringComparison.Ordinal);
        }

        foreach (var variable in RuntimeAdminOptions.Variables)
        {
            Assert.Contains($"`{variable.Name}`", report, StringComparison.Ordinal);
        }
    }
}
