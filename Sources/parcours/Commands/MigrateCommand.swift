import ArgumentParser
import Foundation
import Logging
import ParcoursRuntime
import PostgresNIO

/// `parcours migrate`: applies the pending SQL migrations of `db/` to a database.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the pending SQL migrations (db/NNN_name.sql) to a database.",
        discussion: """
            Checks that the database answers first (a wrong host, port, password or database name is reported \
            within seconds), then applies each pending migration in its own transaction and prints its name, or \
            "database is up to date". Migrations already applied are never changed: a migration whose file was \
            edited or removed after it was applied stops the command. Several processes may run it at once.
            Exits with 1 on any problem.
            """)

    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "postgres://user:password@host:port/database[?sslmode=…] (default: DATABASE_URL, else PGHOST, PGPORT, "
                + "PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE).",
            valueName: "url"))
    var databaseURL: String?

    @Option(
        help: ArgumentHelp(
            "The folder of NNN_name.sql files (default: PARCOURS_MIGRATIONS, else ./db, else the package's db/).",
            valueName: "folder"))
    var migrations: String?

    @Flag(name: .customLong("dry-run"), help: "List the pending migrations without applying them.")
    var dryRun = false

    @Option(help: ArgumentHelp("Seconds to wait for the database to answer.", valueName: "seconds"))
    var timeout: Int = 5

    func validate() throws {
        if timeout < 1 { throw ValidationError("--timeout must be at least 1 second") }
    }

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let database: DatabaseConfiguration
        do {
            database = try DatabaseConfiguration.resolve(url: databaseURL, environment: environment)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let folder: URL
        if let migrations {
            folder = URL(fileURLWithPath: migrations).standardizedFileURL
        } else if let found = Migrator.locateDefaultDirectory(environment: environment) {
            folder = found
        } else {
            printError("error: no migrations folder found (no ./db): give --migrations FOLDER")
            throw ExitCode(1)
        }
        var logger = Logger(label: "parcours.migrate")
        logger.logLevel = .warning
        do {
            try await DatabaseCheck.verify(database, timeout: .seconds(timeout), logger: logger)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let migrator = Migrator(directory: folder)
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try database.connectionConfiguration(connectTimeout: .seconds(timeout)), id: 1,
                logger: logger)
            let result: Result<[Migration], any Error>
            do {
                result = .success(
                    dryRun
                        ? try await migrator.plan(on: connection, logger: logger)
                        : try await migrator.migrate(on: connection, logger: logger))
            } catch {
                result = .failure(error)
            }
            try? await connection.close()
            let migrations = try result.get()
            if migrations.isEmpty {
                print("database is up to date")
            } else {
                for migration in migrations {
                    print(dryRun ? "pending \(migration.fileName)" : "applied \(migration.fileName)")
                }
            }
        } catch let error as MigrationError {
            printError("error: \(error)")
            throw ExitCode(1)
        } catch let error as PSQLError {
            let message = error.serverInfo?[.message] ?? String(reflecting: error)
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            printError("error: \(message)\(state)")
            throw ExitCode(1)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}
