using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gateway.Api.Data;

internal sealed class RelayTunnelEntityConfiguration : IEntityTypeConfiguration<RelayTunnelEntity>
{
    public void Configure(EntityTypeBuilder<RelayTunnelEntity> builder)
    {
        builder.ToTable("RelayTunnels");
        builder.HasKey(t => t.Id);
        builder.Property(t => t.Id).HasMaxLength(36);
        builder.Property(t => t.Description).HasMaxLength(2048);
        builder.Property(t => t.ThingName).HasMaxLength(128);
        builder.HasIndex(t => t.ThingName);
        builder.Property(t => t.State).HasMaxLength(16);
        builder.Property(t => t.EndReason).HasMaxLength(256);
        builder.Property(t => t.SourceTokenHash).HasMaxLength(64);
        builder.Property(t => t.DestinationTokenHash).HasMaxLength(64);
        builder.Property(t => t.SourceClientTokenHash).HasMaxLength(64);
        builder.Property(t => t.DestinationClientTokenHash).HasMaxLength(64);
        builder.HasIndex(t => t.SourceTokenHash).IsUnique();
        builder.HasIndex(t => t.DestinationTokenHash).IsUnique();
        builder.HasIndex(t => t.State);
    }
}
