using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gateway.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialRelayTunnels : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RelayTunnels",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 36, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    Services = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    EndedAt = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    EndReason = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    SourceTokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SourceTokenUsed = table.Column<bool>(type: "INTEGER", nullable: false),
                    SourceClientTokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    DestinationTokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    DestinationTokenUsed = table.Column<bool>(type: "INTEGER", nullable: false),
                    DestinationClientTokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    BytesSourceToDestination = table.Column<long>(type: "INTEGER", nullable: false),
                    BytesDestinationToSource = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RelayTunnels", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RelayTunnels_DestinationTokenHash",
                table: "RelayTunnels",
                column: "DestinationTokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RelayTunnels_SourceTokenHash",
                table: "RelayTunnels",
                column: "SourceTokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_RelayTunnels_State",
                table: "RelayTunnels",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RelayTunnels");
        }
    }
}
