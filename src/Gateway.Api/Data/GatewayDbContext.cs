using Microsoft.EntityFrameworkCore;

namespace Gateway.Api.Data;

/// <summary>The gateway's SQLite store. Migrations live in Data/Migrations and apply at start.</summary>
public sealed class GatewayDbContext(DbContextOptions<GatewayDbContext> options) : DbContext(options)
{
    public DbSet<RelayTunnelEntity> RelayTunnels => Set<RelayTunnelEntity>();

    public DbSet<UserEntity> Users => Set<UserEntity>();

    public DbSet<LoginEntity> Logins => Set<LoginEntity>();

    public DbSet<ApiKeyEntity> ApiKeys => Set<ApiKeyEntity>();

    public DbSet<AwsAccessKeyEntity> AwsAccessKeys => Set<AwsAccessKeyEntity>();

    public DbSet<ProfileEntity> Profiles => Set<ProfileEntity>();

    public DbSet<SessionHistoryEntity> SessionHistory => Set<SessionHistoryEntity>();

    public DbSet<AuditEntryEntity> AuditLog => Set<AuditEntryEntity>();

    public DbSet<CloudEntity> Clouds => Set<CloudEntity>();

    public DbSet<RunningSessionEntity> RunningSessions => Set<RunningSessionEntity>();

    public DbSet<AgentEntity> Agents => Set<AgentEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(GatewayDbContext).Assembly);
    }
}
