using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gateway.Api.Data;

internal sealed class AgentEntityConfiguration : IEntityTypeConfiguration<AgentEntity>
{
    public void Configure(EntityTypeBuilder<AgentEntity> builder)
    {
        builder.ToTable("Agents");
        builder.HasKey(a => a.Name);
        builder.Property(a => a.Name).HasMaxLength(64);
        builder.Property(a => a.Description).HasMaxLength(1024);
        builder.Property(a => a.ThingName).HasMaxLength(128);
        builder.Property(a => a.Host).HasMaxLength(253);
        builder.Property(a => a.CaPem).HasMaxLength(65536);
        builder.Property(a => a.CaPath).HasMaxLength(4096);
        builder.Property(a => a.ProtectedClientCertificate).HasMaxLength(65536);
        builder.Property(a => a.ProtectedClientKey).HasMaxLength(65536);
        builder.Property(a => a.UserName).HasMaxLength(256);
        builder.Property(a => a.ProtectedPassword).HasMaxLength(8192);
        builder.Property(a => a.ClientId).HasMaxLength(128);
        builder.Property(a => a.Services).HasMaxLength(4096);
        builder.Property(a => a.DataEndpoint).HasMaxLength(2048);
        builder.Property(a => a.CreatedBy).HasMaxLength(128);
        builder.Property(a => a.CreatedAt).HasConversion<long>();
        builder.Property(a => a.UpdatedAt).HasConversion<long>();
        builder.HasIndex(a => a.ThingName);
    }
}
