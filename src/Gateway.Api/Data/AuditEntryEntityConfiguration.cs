using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gateway.Api.Data;

internal sealed class AuditEntryEntityConfiguration : IEntityTypeConfiguration<AuditEntryEntity>
{
    public void Configure(EntityTypeBuilder<AuditEntryEntity> builder)
    {
        builder.ToTable("AuditLog");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Actor).HasMaxLength(160);
        builder.Property(a => a.Method).HasMaxLength(16);
        builder.Property(a => a.Path).HasMaxLength(2048);
        builder.Property(a => a.Target).HasMaxLength(256);
        builder.Property(a => a.RemoteAddress).HasMaxLength(64);
        builder.Property(a => a.At).HasConversion<long>();
        builder.HasIndex(a => a.At);
    }
}
