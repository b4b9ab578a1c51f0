using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Agent.Data.Migrations
{
    /// <inheritdoc />
    public partial class TurnContexts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A rename, not the drop and create EF scaffolded: what earlier turns' requests carried is kept.
            migrationBuilder.RenameTable(name: "run_contexts", newName: "turn_contexts");
            migrationBuilder.RenameIndex(name: "IX_run_contexts_SessionId", table: "turn_contexts", newName: "IX_turn_contexts_SessionId");
            migrationBuilder.RenameIndex(name: "IX_run_contexts_TenantId_SessionId", table: "turn_contexts", newName: "IX_turn_contexts_TenantId_SessionId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.RenameIndex(name: "IX_turn_contexts_TenantId_SessionId", table: "turn_contexts", newName: "IX_run_contexts_TenantId_SessionId");
            migrationBuilder.RenameIndex(name: "IX_turn_contexts_SessionId", table: "turn_contexts", newName: "IX_run_contexts_SessionId");
            migrationBuilder.RenameTable(name: "turn_contexts", newName: "run_contexts");
        }
    }
}
