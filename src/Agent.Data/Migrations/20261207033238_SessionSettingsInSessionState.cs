using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Agent.Data.Migrations
{
    /// <inheritdoc />
    public partial class SessionSettingsInSessionState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A session's settings move into its own state scope (session:{tenant}:{session}, beside its in-flight turn):
            // the team binding was keyed by the session id (N format) under session-team:{tenant}, the tool mode under
            // tool-mode:{tenant}.
            migrationBuilder.Sql(MoveIn("session-team:", "team"));
            migrationBuilder.Sql(MoveIn("tool-mode:", "tool_mode"));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(MoveOut("team", "session-team:"));
            migrationBuilder.Sql(MoveOut("tool_mode", "tool-mode:"));
        }

        private static string MoveIn(string oldPrefix, string key) =>
            $"""
            UPDATE state_entries
            SET Scope = 'session:' || substr(Scope, {oldPrefix.Length + 1}) || ':' || lower(substr(Key, 1, 8) || '-' || substr(Key, 9, 4) || '-' || substr(Key, 13, 4) || '-' || substr(Key, 17, 4) || '-' || substr(Key, 21, 12)),
                Key = '{key}'
            WHERE Scope LIKE '{oldPrefix}%' AND length(Key) = 32;
            """;

        // session:{tenant}:{session D}: the tenant is what lies between the first colon and the last 37 characters.
        private static string MoveOut(string key, string oldPrefix) =>
            $"""
            UPDATE state_entries
            SET Key = replace(substr(Scope, length(Scope) - 35), '-', ''),
                Scope = '{oldPrefix}' || substr(Scope, 9, length(Scope) - 8 - 37)
            WHERE Scope LIKE 'session:%' AND Key = '{key}';
            """;
    }
}
