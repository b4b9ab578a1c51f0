using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Agent.Data;

/// <summary>Used only by dotnet-ef to build migrations.</summary>
public sealed class DesignTimeContextFactory : IDesignTimeDbContextFactory<AgentDbContext>
{
    public AgentDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<AgentDbContext>().UseSqlite("Data Source=design-time.db").Options);
}
