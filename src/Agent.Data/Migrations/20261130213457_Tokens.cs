using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Agent.Data.Migrations
{
    /// <inheritdoc />
    public partial class Tokens : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "retries",
                table: "messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "total_ms",
                table: "messages",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "usage_estimated",
                table: "messages",
                type: "INTEGER",
                nullable: true);

            // Replies stored before this column carry provider-reported usage: not estimates.
            migrationBuilder.Sql("UPDATE messages SET usage_estimated = 0 WHERE usage_input IS NOT NULL;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "retries",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "total_ms",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "usage_estimated",
                table: "messages");
        }
    }
}
