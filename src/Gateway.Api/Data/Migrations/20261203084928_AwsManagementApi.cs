using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gateway.Api.Data.Migrations
{
    /// <inheritdoc />
    public partial class AwsManagementApi : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "DestinationConnectionChangedAt",
                table: "RelayTunnels",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LastUpdatedAt",
                table: "RelayTunnels",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "SourceConnectionChangedAt",
                table: "RelayTunnels",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "TagsJson",
                table: "RelayTunnels",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ThingName",
                table: "RelayTunnels",
                type: "TEXT",
                maxLength: 128,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AwsAccessKeys",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    ProtectedSecret = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: false),
                    UserId = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedBy = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    LastUsedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AwsAccessKeys", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AwsAccessKeys_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_RelayTunnels_ThingName",
                table: "RelayTunnels",
                column: "ThingName");

            migrationBuilder.CreateIndex(
                name: "IX_AwsAccessKeys_UserId",
                table: "AwsAccessKeys",
                column: "UserId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AwsAccessKeys");

            migrationBuilder.DropIndex(
                name: "IX_RelayTunnels_ThingName",
                table: "RelayTunnels");

            migrationBuilder.DropColumn(
                name: "DestinationConnectionChangedAt",
                table: "RelayTunnels");

            migrationBuilder.DropColumn(
                name: "LastUpdatedAt",
                table: "RelayTunnels");

            migrationBuilder.DropColumn(
                name: "SourceConnectionChangedAt",
                table: "RelayTunnels");

            migrationBuilder.DropColumn(
                name: "TagsJson",
                table: "RelayTunnels");

            migrationBuilder.DropColumn(
                name: "ThingName",
                table: "RelayTunnels");
        }
    }
}
