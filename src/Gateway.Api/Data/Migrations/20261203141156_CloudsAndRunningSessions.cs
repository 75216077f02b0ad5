using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gateway.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class CloudsAndRunningSessions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Clouds",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    Region = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ManagementEndpoint = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    DataEndpoint = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: true),
                    CaPath = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: true),
                    CredentialSource = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ProfileName = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    CredentialsFile = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: true),
                    AccessKeyId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    ProtectedSecretAccessKey = table.Column<string>(type: "TEXT", maxLength: 8192, nullable: true),
                    ProtectedSessionToken = table.Column<string>(type: "TEXT", maxLength: 16384, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Clouds", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "RunningSessions",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Mode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ProtectedSpec = table.Column<string>(type: "TEXT", maxLength: 131072, nullable: false),
                    StartedBy = table.Column<string>(type: "TEXT", maxLength: 160, nullable: true),
                    ProfileId = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    Cloud = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    TunnelId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    CloseTunnelOnStop = table.Column<bool>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunningSessions", x => x.Id);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Clouds");

            migrationBuilder.DropTable(
                name: "RunningSessions");
        }
    }
}
