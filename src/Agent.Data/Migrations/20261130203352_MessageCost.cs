using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Agent.Data.Migrations
{
    /// <inheritdoc />
    public partial class MessageCost : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "cost_nanos",
                table: "messages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "price_table_version",
                table: "messages",
                type: "TEXT",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "cost_nanos",
                table: "messages");

            migrationBuilder.DropColumn(
                name: "price_table_version",
                table: "messages");
        }
    }
}
