using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gateway.Api.Data;

internal sealed class RunningSessionEntityConfiguration : IEntityTypeConfiguration<RunningSessionEntity>
{
    public void Configure(EntityTypeBuilder<RunningSessionEntity> builder)
    {
        builder.ToTable("RunningSessions");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Id).HasMaxLength(64);
        builder.Property(s => s.Name).HasMaxLength(200);
        builder.Property(s => s.Mode).HasMaxLength(16);
        builder.Property(s => s.ProtectedSpec).HasMaxLength(131072);
        builder.Property(s => s.StartedBy).HasMaxLength(160);
        builder.Property(s => s.ProfileId).HasMaxLength(32);
        builder.Property(s => s.Cloud).HasMaxLength(64);
        builder.Property(s => s.TunnelId).HasMaxLength(128);
        builder.Property(s => s.StartedAt).HasConversion<long>();
        builder.Property(s => s.UpdatedAt).HasConversion<long>();
    }
}
