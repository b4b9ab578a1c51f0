using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Agent.Data.Migrations
{
    /// <inheritdoc />
    public partial class Memory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_memory_items_TenantId_Tier",
                table: "memory_items");

            migrationBuilder.AddColumn<Guid>(
                name: "AttachmentId",
                table: "memory_items",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "Day",
                table: "memory_items",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "memory_items",
                type: "TEXT",
                nullable: false,
                defaultValue: "Person");

            migrationBuilder.AddColumn<Guid>(
                name: "SourceMessageId",
                table: "memory_items",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "attachments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", nullable: false),
                    SessionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    FileName = table.Column<string>(type: "TEXT", nullable: false),
                    ContentType = table.Column<string>(type: "TEXT", nullable: false),
                    SizeBytes = table.Column<long>(type: "INTEGER", nullable: false),
                    StoragePath = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", nullable: false),
                    Error = table.Column<string>(type: "TEXT", nullable: true),
                    ArtifactId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SummaryId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_attachments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_attachments_sessions_SessionId",
                        column: x => x.SessionId,
                        principalTable: "sessions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_memory_items_TenantId_SessionId_Day",
                table: "memory_items",
                columns: new[] { "TenantId", "SessionId", "Day" });

            migrationBuilder.CreateIndex(
                name: "IX_memory_items_TenantId_Tier_UpdatedAt",
                table: "memory_items",
                columns: new[] { "TenantId", "Tier", "UpdatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_attachments_SessionId",
                table: "attachments",
                column: "SessionId");

            migrationBuilder.CreateIndex(
                name: "IX_attachments_TenantId_SessionId",
                table: "attachments",
                columns: new[] { "TenantId", "SessionId" });

            migrationBuilder.Sql(MemoryFtsSql.Create);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(MemoryFtsSql.Drop);

            migrationBuilder.DropTable(
                name: "attachments");

            migrationBuilder.DropIndex(
                name: "IX_memory_items_TenantId_SessionId_Day",
                table: "memory_items");

            migrationBuilder.DropIndex(
                name: "IX_memory_items_TenantId_Tier_UpdatedAt",
                table: "memory_items");

            migrationBuilder.DropColumn(
                name: "AttachmentId",
                table: "memory_items");

            migrationBuilder.DropColumn(
                name: "Day",
                table: "memory_items");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "memory_items");

            migrationBuilder.DropColumn(
                name: "SourceMessageId",
                table: "memory_items");

            migrationBuilder.CreateIndex(
                name: "IX_memory_items_TenantId_Tier",
                table: "memory_items",
                columns: new[] { "TenantId", "Tier" });
        }
    }
}
