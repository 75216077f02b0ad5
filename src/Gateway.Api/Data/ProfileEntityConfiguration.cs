using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gateway.Api.Data;

internal sealed class ProfileEntityConfiguration : IEntityTypeConfiguration<ProfileEntity>
{
    public void Configure(EntityTypeBuilder<ProfileEntity> builder)
    {
        builder.ToTable("Profiles");
        builder.HasKey(p => p.Id);
        builder.Property(p => p.Id).HasMaxLength(32);
        builder.Property(p => p.Name).HasMaxLength(200).UseCollation("NOCASE");
        builder.HasIndex(p => p.Name).IsUnique();
        builder.Property(p => p.Mode).HasMaxLength(16);
        builder.Property(p => p.Region).HasMaxLength(64);
        builder.Property(p => p.Endpoint).HasMaxLength(2048);
        builder.Property(p => p.Services).HasMaxLength(8192);
        builder.Property(p => p.BindAddress).HasMaxLength(256);
        builder.Property(p => p.CaPath).HasMaxLength(4096);
        builder.Property(p => p.HttpsProxy).HasMaxLength(2048);
        builder.Property(p => p.ProtectedProxyPassword).HasMaxLength(8192);
        builder.Property(p => p.DestinationClientType).HasMaxLength(8);
        builder.Property(p => p.SettingsJson).HasMaxLength(65536);
        builder.Property(p => p.TagsJson).HasMaxLength(4096);
        builder.Property(p => p.CreatedBy).HasMaxLength(128);
        builder.Property(p => p.CreatedAt).HasConversion<long>();
        builder.Property(p => p.UpdatedAt).HasConversion<long>();
    }
}
