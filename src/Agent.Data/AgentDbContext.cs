using System.Text.Json;
using Agent.Domain.Context;
using Agent.Domain.Memory;
using Agent.Domain.Runtime;
using Agent.Domain.Security;
using Agent.Domain.Sessions;
using Agent.Domain.Teams;
using Agent.Domain.Telemetry;
using Agent.Domain.Tools;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Agent.Data;

/// <summary>The app's tables and ASP.NET Core Identity's (users, roles, claims, logins) in one SQLite file.</summary>
public sealed class AgentDbContext(DbContextOptions<AgentDbContext> options) : IdentityDbContext<AgentUser>(options)
{
    // Relaxed escaping keeps non-ASCII text readable in the column, so search (LIKE) finds it.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Stored costs are integers in units of 10^-9 of the currency.</summary>
    public const decimal NanosPerUnit = 1_000_000_000m;

    public DbSet<Tenant> Tenants => Set<Tenant>();

    public DbSet<ChatSession> Sessions => Set<ChatSession>();

    public DbSet<SessionMessage> Messages => Set<SessionMessage>();

    public DbSet<Checkpoint> Checkpoints => Set<Checkpoint>();

    public DbSet<TurnContext> TurnContexts => Set<TurnContext>();

    public DbSet<MemoryItem> MemoryItems => Set<MemoryItem>();

    public DbSet<Attachment> Attachments => Set<Attachment>();

    public DbSet<TraceEvent> TraceEvents => Set<TraceEvent>();

    public DbSet<ConfigOverride> ConfigOverrides => Set<ConfigOverride>();

    public DbSet<ToolApprovalRequest> ToolApprovals => Set<ToolApprovalRequest>();

    public DbSet<ExecutionRecord> Executions => Set<ExecutionRecord>();

    public DbSet<Artifact> Artifacts => Set<Artifact>();

    public DbSet<WalEntry> Wal => Set<WalEntry>();

    public DbSet<StateEntry> StateEntries => Set<StateEntry>();

    public DbSet<AccessToken> AccessTokens => Set<AccessToken>();
    public DbSet<TeamTask> TeamTasks => Set<TeamTask>();

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite cannot order or compare DateTimeOffset; store UTC ticks so ORDER BY and ranges work in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<Enum>().HaveConversion<string>();
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<AgentUser>(e => e.HasIndex(u => u.TenantId));

        modelBuilder.Entity<AccessToken>(e =>
        {
            e.ToTable("access_tokens");
            e.HasKey(t => t.Id);
            e.Ignore(t => t.IsActive);
            e.HasIndex(t => t.SecretHash).IsUnique();
            e.HasIndex(t => new { t.TenantId, t.UserId });
        });

        modelBuilder.Entity<Tenant>(e =>
        {
            e.ToTable("tenants");
            e.HasKey(t => t.Id);
        });

        modelBuilder.Entity<ChatSession>(e =>
        {
            e.ToTable("sessions");
            e.HasKey(s => s.Id);
            e.HasIndex(s => new { s.TenantId, s.UpdatedAt });
        });

        modelBuilder.Entity<SessionMessage>(e =>
        {
            e.ToTable("messages");
            e.HasKey(m => m.Id);
            e.Ignore(m => m.Text);
            e.Ignore(m => m.IsTerminal);
            e.HasIndex(m => new { m.SessionId, m.CreatedAt });
            e.HasIndex(m => new { m.SessionId, m.ParentId }); // children and siblings of a message: branch switcher and newest leaf
            e.HasIndex(m => m.Status);
            e.HasIndex(m => m.TenantId);
            e.HasIndex(m => new { m.CreatedAt, m.TenantId }); // which tenants had messages on a day (the episode job)
            JsonColumn(e.Property(m => m.Parts));

            // Cost in billionths of the currency unit: exact, and SQLite can SUM an integer (not a decimal).
            e.Property(m => m.Cost).HasColumnName("cost_nanos").HasConversion(new ValueConverter<decimal?, long?>(
                v => v == null ? null : (long)Math.Round(v.Value * NanosPerUnit, MidpointRounding.AwayFromZero),
                v => v == null ? null : v.Value / NanosPerUnit));
            e.Property(m => m.PriceTableVersion).HasColumnName("price_table_version");
            e.Property(m => m.TotalTimeMs).HasColumnName("total_ms");
            e.Property(m => m.Retries).HasColumnName("retries");
            e.OwnsOne(m => m.Usage, u =>
            {
                u.Property(x => x.InputTokens).HasColumnName("usage_input");
                u.Property(x => x.OutputTokens).HasColumnName("usage_output");
                u.Property(x => x.CachedInputTokens).HasColumnName("usage_cached");
                u.Property(x => x.ReasoningTokens).HasColumnName("usage_reasoning");
                u.Property(x => x.Model).HasColumnName("usage_model");
                u.Property(x => x.Provider).HasColumnName("usage_provider");
                u.Property(x => x.IsEstimate).HasColumnName("usage_estimated");
                u.Ignore(x => x.TotalTokens);
            });
            e.HasOne<ChatSession>().WithMany().HasForeignKey(m => m.SessionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<TeamTask>(e =>
        {
            e.ToTable("team_tasks");
            e.HasKey(t => t.Id);
            e.HasIndex(t => t.ExecutionId);
            e.HasIndex(t => new { t.TenantId, t.RootExecutionId });
            e.HasIndex(t => new { t.TenantId, t.CreatedAt });
            e.Ignore(t => t.Tokens);
            e.Ignore(t => t.Text);
            JsonColumn(e.Property(t => t.Parts));
            e.Property(t => t.Cost).HasColumnName("cost_nanos").HasConversion(new ValueConverter<decimal?, long?>(
                v => v == null ? null : (long)Math.Round(v.Value * NanosPerUnit, MidpointRounding.AwayFromZero),
                v => v == null ? null : v.Value / NanosPerUnit));
            e.HasOne<ChatSession>().WithMany().HasForeignKey(t => t.SessionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<Checkpoint>(e =>
        {
            e.ToTable("checkpoints");
            e.HasKey(c => c.Id);
            e.HasIndex(c => new { c.TenantId, c.SessionId });
            e.Property(c => c.Source).HasDefaultValue("person"); // checkpoints from before sources were kept were all made by the person
            e.HasOne<ChatSession>().WithMany().HasForeignKey(c => c.SessionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<TurnContext>(e =>
        {
            e.ToTable("turn_contexts");
            e.HasKey(c => c.ExecutionId);
            e.HasIndex(c => new { c.TenantId, c.SessionId });
            JsonColumn(e.Property(c => c.Parts));
            e.HasOne<ChatSession>().WithMany().HasForeignKey(c => c.SessionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<MemoryItem>(e =>
        {
            e.ToTable("memory_items");
            e.HasKey(m => m.Id);
            e.HasIndex(m => new { m.TenantId, m.Tier, m.UpdatedAt });
            e.HasIndex(m => new { m.TenantId, m.SessionId, m.Day });

            // Full-text recall reads the FTS5 table memory_fts, created and kept in step by triggers in the
            // migration (hand-written SQL: EF cannot model virtual tables); EF never sees it.
        });

        modelBuilder.Entity<Attachment>(e =>
        {
            e.ToTable("attachments");
            e.HasKey(a => a.Id);
            e.HasIndex(a => new { a.TenantId, a.SessionId });
            e.HasOne<ChatSession>().WithMany().HasForeignKey(a => a.SessionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<TraceEvent>(e =>
        {
            e.ToTable("trace_events");
            e.HasKey(t => t.Id);
            e.HasIndex(t => new { t.TenantId, t.OccurredAt });
            e.HasIndex(t => t.ExecutionId);
        });

        modelBuilder.Entity<ToolApprovalRequest>(e =>
        {
            e.ToTable("tool_approvals");
            e.HasKey(a => a.Id);
            e.HasIndex(a => new { a.TenantId, a.Status });
            e.Property(a => a.Status).HasConversion<string>();
            e.Ignore(a => a.IsApproved);
        });

        modelBuilder.Entity<ConfigOverride>(e =>
        {
            e.ToTable("config_overrides");
            e.HasKey(o => new { o.TenantId, o.Scope, o.Name });
        });

        modelBuilder.Entity<ExecutionRecord>(e =>
        {
            e.ToTable("executions");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.TenantId, x.CreatedAt });
            e.HasIndex(x => x.Status);
            e.HasIndex(x => new { x.TenantId, x.IdempotencyKey }).IsUnique().HasFilter("IdempotencyKey IS NOT NULL");
        });

        modelBuilder.Entity<Artifact>(e =>
        {
            e.ToTable("artifacts");
            e.HasKey(a => a.Id);
            e.HasIndex(a => new { a.TenantId, a.Type });
            e.HasIndex(a => a.ProducedByExecutionId);
            JsonColumn(e.Property(a => a.Parents));
            JsonColumn(e.Property(a => a.Materializations));
        });

        modelBuilder.Entity<WalEntry>(e =>
        {
            e.ToTable("wal");
            e.HasKey(w => w.Sequence);
            e.Property(w => w.Sequence).ValueGeneratedOnAdd();
            e.HasIndex(w => w.ExecutionId);
        });

        modelBuilder.Entity<StateEntry>(e =>
        {
            e.ToTable("state_entries");
            e.HasKey(x => new { x.Scope, x.Key });
        });
    }

    private static void JsonColumn<T>(PropertyBuilder<IReadOnlyList<T>> property)
    {
        property.HasConversion(
            new ValueConverter<IReadOnlyList<T>, string>(
                v => JsonSerializer.Serialize(v, Json),
                v => JsonSerializer.Deserialize<List<T>>(v, Json) ?? new List<T>()),
            new ValueComparer<IReadOnlyList<T>>(
                (a, b) => JsonSerializer.Serialize(a, Json) == JsonSerializer.Serialize(b, Json),
                v => JsonSerializer.Serialize(v, Json).GetHashCode(StringComparison.Ordinal),
                v => v.ToList()));
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
