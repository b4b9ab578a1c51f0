using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Agent.Data.Migrations
{
    /// <inheritdoc />
    public partial class MessageStreamingMetrics : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<double>(
                name: "TimeToFirstTokenMs",
                table: "messages",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "TokensPerSecond",
                table: "messages",
                type: "REAL",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "TimeToFirstTokenMs",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "TokensPerSecond",
                table: "messages");
        }
    }
}
