using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gateway.Api.Data;

internal sealed class AwsAccessKeyEntityConfiguration : IEntityTypeConfiguration<AwsAccessKeyEntity>
{
    public void Configure(EntityTypeBuilder<AwsAccessKeyEntity> builder)
    {
        builder.ToTable("AwsAccessKeys");
        builder.HasKey(k => k.Id);
        builder.Property(k => k.Id).HasMaxLength(20);
        builder.Property(k => k.Name).HasMaxLength(128);
        builder.Property(k => k.ProtectedSecret).HasMaxLength(1024);
        builder.Property(k => k.CreatedBy).HasMaxLength(128);
        builder.Property(k => k.CreatedAt).HasConversion<long>();
        builder.Property(k => k.LastUsedAt).HasConversion<long?>();
        builder.Property(k => k.RevokedAt).HasConversion<long?>();

        // Deleting a user deletes their AWS keys: a key never outlives the person it acts as.
        builder.HasOne(k => k.User).WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
