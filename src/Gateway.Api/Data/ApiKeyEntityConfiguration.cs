using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gateway.Api.Data;

internal sealed class ApiKeyEntityConfiguration : IEntityTypeConfiguration<ApiKeyEntity>
{
    public void Configure(EntityTypeBuilder<ApiKeyEntity> builder)
    {
        builder.ToTable("ApiKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(32);
        builder.Property(k => k.Name).HasMaxLength(128);
        builder.Property(k => k.KeyHash).HasMaxLength(64);
        builder.HasIndex(k => k.KeyHash).IsUnique();
        builder.Property(k => k.Role).HasMaxLength(16);
        builder.Property(k => k.CreatedBy).HasMaxLength(128);
        builder.Property(k => k.CreatedAt).HasConversion<long>();
        builder.Property(k => k.ExpiresAt).HasConversion<long?>();
        builder.Property(k => k.LastUsedAt).HasConversion<long?>();
        builder.Property(k => k.RevokedAt).HasConversion<long?>();
    }
}
