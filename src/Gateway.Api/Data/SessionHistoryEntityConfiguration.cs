using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Gateway.Api.Data;

internal sealed class SessionHistoryEntityConfiguration : IEntityTypeConfiguration<SessionHistoryEntity>
{
    public void Configure(EntityTypeBuilder<SessionHistoryEntity> builder)
    {
        builder.ToTable("SessionHistory");
        builder.HasKey(h => h.Id);
        builder.Property(h => h.Id).HasMaxLength(32);
        builder.Property(h => h.Name).HasMaxLength(200);
        builder.Property(h => h.ProfileId).HasMaxLength(32);
        builder.Property(h => h.Mode).HasMaxLength(16);
        builder.Property(h => h.Endpoint).HasMaxLength(2048);
        builder.Property(h => h.SpecJson).HasMaxLength(65536);
        builder.Property(h => h.StartedBy).HasMaxLength(128);
        builder.Property(h => h.EndState).HasMaxLength(16);
        builder.Property(h => h.EndReason).HasMaxLength(2048);
        builder.Property(h => h.StartedAt).HasConversion<long>();
        builder.Property(h => h.EndedAt).HasConversion<long?>();
        builder.HasIndex(h => h.StartedAt);
        builder.HasIndex(h => h.ProfileId);
    }
}
