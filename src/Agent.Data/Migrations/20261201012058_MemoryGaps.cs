using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Agent.Data.Migrations
{
    /// <inheritdoc />
    public partial class MemoryGaps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_messages_CreatedAt_TenantId",
                table: "messages",
                columns: new[] { "CreatedAt", "TenantId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_messages_CreatedAt_TenantId",
                table: "messages");
        }
    }
}
