using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gateway.Api.Data;

internal sealed class LoginEntityConfiguration : IEntityTypeConfiguration<LoginEntity>
{
    public void Configure(EntityTypeBuilder<LoginEntity> builder)
    {
        builder.ToTable("Logins");
        builder.HasKey(l => l.Id);
        builder.Property(l => l.Id).HasMaxLength(32);

        // Deleting a user deletes their logins.
        builder.HasOne(l => l.User).WithMany().HasForeignKey(l => l.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.Property(l => l.CreatedAt).HasConversion<long>();
        builder.Property(l => l.LastSeenAt).HasConversion<long>();
        builder.HasIndex(l => l.LastSeenAt);
    }
}
