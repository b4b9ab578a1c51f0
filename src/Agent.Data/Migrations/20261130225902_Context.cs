using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Agent.Data.Migrations
{
    /// <inheritdoc />
    public partial class Context : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "ExecutionId",
                table: "checkpoints",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Source",
                table: "checkpoints",
                type: "TEXT",
                nullable: false,
                defaultValue: "person");

            migrationBuilder.CreateTable(
                name: "run_contexts",
                columns: table => new
                {
                    ExecutionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<string>(type: "TEXT", nullable: false),
                    SessionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProviderName = table.Column<string>(type: "TEXT", nullable: false),
                    ModelId = table.Column<string>(type: "TEXT", nullable: false),
                    Tokenizer = table.Column<string>(type: "TEXT", nullable: false),
                    IsEstimate = table.Column<bool>(type: "INTEGER", nullable: false),
                    ContextWindow = table.Column<int>(type: "INTEGER", nullable: false),
                    Budget = table.Column<int>(type: "INTEGER", nullable: false),
                    TotalTokens = table.Column<int>(type: "INTEGER", nullable: false),
                    Parts = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_contexts", x => x.ExecutionId);
                    table.ForeignKey(
                        name: "FK_run_contexts_sessions_SessionId",
                        column: x => x.SessionId,
                        principalTable: "sessions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_run_contexts_SessionId",
                table: "run_contexts",
                column: "SessionId");

            migrationBuilder.CreateIndex(
                name: "IX_run_contexts_TenantId_SessionId",
                table: "run_contexts",
                columns: new[] { "TenantId", "SessionId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "run_contexts");

            migrationBuilder.DropColumn(
                name: "ExecutionId",
                table: "checkpoints");

            migrationBuilder.DropColumn(
                name: "Source",
                table: "checkpoints");
        }
    }
}
