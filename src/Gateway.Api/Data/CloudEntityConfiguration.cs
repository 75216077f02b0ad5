using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gateway.Api.Data;

internal sealed class CloudEntityConfiguration : IEntityTypeConfiguration<CloudEntity>
{
    public void Configure(EntityTypeBuilder<CloudEntity> builder)
    {
        builder.ToTable("Clouds");
        builder.HasKey(c => c.Name);
        builder.Property(c => c.Name).HasMaxLength(64);
        builder.Property(c => c.Description).HasMaxLength(1024);
        builder.Property(c => c.Region).HasMaxLength(64);
        builder.Property(c => c.ManagementEndpoint).HasMaxLength(2048);
        builder.Property(c => c.DataEndpoint).HasMaxLength(2048);
        builder.Property(c => c.CaPath).HasMaxLength(4096);
        builder.Property(c => c.CredentialSource).HasMaxLength(16);
        builder.Property(c => c.ProfileName).HasMaxLength(128);
        builder.Property(c => c.CredentialsFile).HasMaxLength(4096);
        builder.Property(c => c.AccessKeyId).HasMaxLength(128);
        builder.Property(c => c.ProtectedSecretAccessKey).HasMaxLength(8192);
        builder.Property(c => c.ProtectedSessionToken).HasMaxLength(16384);
        builder.Property(c => c.CreatedBy).HasMaxLength(128);
        builder.Property(c => c.CreatedAt).HasConversion<long>();
        builder.Property(c => c.UpdatedAt).HasConversion<long>();
    }
}
