import Logging
import PostgresNIO

/// The login role the server connects as in development and tests: a member of `parcours_app`, so it gets the
/// table privileges but neither owns the tables nor bypasses row-level security. In production an operator creates
/// their own login role and grants it `parcours_app`.
public enum ServerRole {
    public static let name = "parcours_server"

    /// Creates the role if it does not exist (needs a superuser or CREATEROLE connection).
    public static func ensure(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.run(
            """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'parcours_server') THEN
                    CREATE ROLE parcours_server LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE IN ROLE parcours_app;
                END IF;
            END
            $$
            """, logger: logger)
    }
}
