import Crypto
import Foundation
import Logging
import PostgresNIO

/// Applies the SQL files of a folder to a database, in order, once each.
///
/// Files are named `NNN_name.sql` and applied in numeric order, each in its own transaction together with its row
/// in `parcours_migrations` (version, name, SHA-256 checksum, time). A transaction-level advisory lock serialises
/// migrators across processes, so two servers starting together apply each file once. The migrator refuses to run
/// when an applied file was changed or removed, or when a new file is numbered below an applied one; it never drops
/// or undoes anything.
///
/// Files may hold several statements, `DO $$ … $$` blocks and functions: they are cut into statements as `psql`
/// would (see ``SQLScript``). They must not manage transactions themselves (`BEGIN`, `COMMIT`…), and statements
/// that cannot run inside a transaction (`CREATE INDEX CONCURRENTLY`, `VACUUM`) are not supported.
public struct Migrator: Sendable {
    /// The folder of `NNN_name.sql` files.
    public let directory: URL

    /// The key of the advisory lock that serialises migrators (the bytes of "parcours").
    public static let advisoryLockKey: Int64 = 0x7061_7263_6F75_7273

    /// A migrator for the files of `directory`.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The folder's migrations, in order (applied or not).
    ///
    /// - Throws: ``MigrationError`` when the folder cannot be read, a `.sql` file is not named `NNN_name.sql`, two
    ///   files share a number, or a file manages transactions itself.
    public func migrations() throws -> [Migration] {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MigrationError(
                .unreadableDirectory,
                "the migrations folder \(directory.path) does not exist (give --migrations or set PARCOURS_MIGRATIONS)")
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw MigrationError(.unreadableDirectory, "cannot read the migrations folder \(directory.path): \(error)")
        }
        var byVersion: [Int: Migration] = [:]
        for fileName in names.sorted() where fileName.hasSuffix(".sql") && !fileName.hasPrefix(".") {
            let url = directory.appendingPathComponent(fileName)
            guard let (version, name) = Self.parse(fileName: fileName) else {
                throw MigrationError(
                    .badFileName,
                    "\(url.path) is not named NNN_name.sql (a number, an underscore, a name): rename it")
            }
            if let other = byVersion[version] {
                throw MigrationError(
                    .badFileName, "\(other.fileName) and \(fileName) have the same number \(version): renumber one")
            }
            let data: Data
            do {
                data = try Data(contentsOf: url)
            } catch {
                throw MigrationError(.unreadableFile, "cannot read \(url.path): \(error)")
            }
            guard let sql = String(data: data, encoding: .utf8) else {
                throw MigrationError(.unreadableFile, "\(url.path) is not UTF-8 text")
            }
            let checksum = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
            let migration = Migration(
                version: version, name: name, fileName: fileName, url: url, checksum: checksum, sql: sql)
            for statement in SQLScript(sql).statements {
                let first = statement.sql.prefix { $0.isLetter }.uppercased()
                if ["BEGIN", "COMMIT", "ROLLBACK", "START", "END", "ABORT"].contains(first) {
                    throw MigrationError(
                        .transactionControl,
                        "\(fileName):\(statement.line): remove \(first): each migration already runs in its own "
                            + "transaction")
                }
            }
            byVersion[version] = migration
        }
        return byVersion.values.sorted { $0.version < $1.version }
    }

    /// The migrations not applied yet to the database of `connection`, in order; nothing is changed.
    ///
    /// - Throws: ``MigrationError`` when an applied migration's file was changed or removed, or a new file is
    ///   numbered below an applied one; PostgresNIO's errors when the database cannot be read.
    public func plan(
        on connection: PostgresConnection, logger: Logger = Logger(label: "parcours.migrations")
    ) async throws -> [Migration] {
        let available = try migrations()
        guard try await historyExists(on: connection, logger: logger) else { return available }
        return try pending(available, applied: try await appliedRows(on: connection, logger: logger))
    }

    /// ``plan(on:logger:)`` on a connection of `client` (which must be running).
    public func plan(
        on client: PostgresClient, logger: Logger = Logger(label: "parcours.migrations")
    ) async throws -> [Migration] {
        try await client.withConnection { connection in try await plan(on: connection, logger: logger) }
    }

    /// Applies the pending migrations, in order, each in its own transaction; returns those this call applied
    /// (empty when the database was up to date, or when another process applied them meanwhile).
    ///
    /// - Throws: ``MigrationError``: see ``plan(on:logger:)``; `.statementFailed` (with the file, line and the
    ///   server's message) when a statement fails, after rolling that migration back; earlier ones stay applied.
    @discardableResult
    public func migrate(
        on connection: PostgresConnection, logger: Logger = Logger(label: "parcours.migrations")
    ) async throws -> [Migration] {
        let available = try migrations()
        let applied = try await transaction(on: connection, logger: logger) {
            try await lock(connection, logger: logger)
            try await execute(
                """
                create table if not exists parcours_migrations (
                    version int primary key,
                    name text not null,
                    checksum text not null,
                    applied_at timestamptz not null default now()
                )
                """, on: connection, logger: logger)
            return try await appliedRows(on: connection, logger: logger)
        }
        var done: [Migration] = []
        for migration in try pending(available, applied: applied) {
            let didApply = try await transaction(on: connection, logger: logger) {
                try await lock(connection, logger: logger)
                // Another process may have applied it while this one waited for the lock.
                let current = try await appliedRows(on: connection, logger: logger)
                if try !pending(available, applied: current).contains(migration) { return false }
                try await apply(migration, on: connection, logger: logger)
                return true
            }
            if didApply {
                logger.info("applied migration", metadata: ["migration": "\(migration.fileName)"])
                done.append(migration)
            }
        }
        return done
    }

    /// ``migrate(on:logger:)`` on a connection of `client` (which must be running).
    @discardableResult
    public func migrate(
        on client: PostgresClient, logger: Logger = Logger(label: "parcours.migrations")
    ) async throws -> [Migration] {
        try await client.withConnection { connection in try await migrate(on: connection, logger: logger) }
    }

    // MARK: - Applying

    private func apply(_ migration: Migration, on connection: PostgresConnection, logger: Logger) async throws {
        for statement in SQLScript(migration.sql).statements {
            do {
                try await execute(sql: statement.sql, on: connection, logger: logger)
            } catch let error as PSQLError {
                let info = error.serverInfo
                var line = statement.line
                if let position = info?[.position].flatMap({ Int($0) }) {
                    line = statement.line(atPosition: position)
                }
                var message = "\(migration.fileName):\(line): \(info?[.message] ?? String(reflecting: error))"
                if let state = info?[.sqlState] { message += " (SQLSTATE \(state))" }
                if let detail = info?[.detail] { message += "\n  detail: \(detail)" }
                if let hint = info?[.hint] { message += "\n  hint: \(hint)" }
                if let context = info?[.locationContext] { message += "\n  where: \(context)" }
                message += "\nnothing of \(migration.fileName) was applied"
                throw MigrationError(.statementFailed, message)
            }
        }
        let record: PostgresQuery = """
            insert into parcours_migrations (version, name, checksum)
            values (\(migration.version), \(migration.name), \(migration.checksum))
            """
        try await execute(record, on: connection, logger: logger)
    }

    private func lock(_ connection: PostgresConnection, logger: Logger) async throws {
        let lock: PostgresQuery = "select pg_advisory_xact_lock(\(Self.advisoryLockKey))"
        try await execute(lock, on: connection, logger: logger)
    }

    /// Runs `body` between `BEGIN` and `COMMIT`, rolling back when it throws (the error is rethrown as is).
    private func transaction<Result>(
        on connection: PostgresConnection, logger: Logger, _ body: () async throws -> Result
    ) async throws -> Result {
        try await execute("BEGIN", on: connection, logger: logger)
        do {
            let result = try await body()
            try await execute("COMMIT", on: connection, logger: logger)
            return result
        } catch {
            try? await execute("ROLLBACK", on: connection, logger: logger)
            throw error
        }
    }

    /// Runs one statement and reads its rows, so that an error anywhere in it is thrown here.
    private func execute(_ query: PostgresQuery, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query(query, logger: logger)
        for try await _ in rows {}
    }

    /// Runs SQL text (no parameters), as read from a file.
    private func execute(sql: String, on connection: PostgresConnection, logger: Logger) async throws {
        try await execute(PostgresQuery(unsafeSQL: sql), on: connection, logger: logger)
    }

    // MARK: - History

    /// An applied migration as recorded.
    struct AppliedRow: Sendable {
        var version: Int
        var name: String
        var checksum: String
    }

    private func historyExists(on connection: PostgresConnection, logger: Logger) async throws -> Bool {
        let rows = try await connection.query(
            "select to_regclass('parcours_migrations') is not null", logger: logger)
        var exists = false
        for try await value in rows.decode(Bool.self) { exists = value }
        return exists
    }

    private func appliedRows(on connection: PostgresConnection, logger: Logger) async throws -> [AppliedRow] {
        let rows = try await connection.query(
            "select version, name, checksum from parcours_migrations order by version", logger: logger)
        var applied: [AppliedRow] = []
        for try await (version, name, checksum) in rows.decode((Int, String, String).self) {
            applied.append(AppliedRow(version: version, name: name, checksum: checksum))
        }
        return applied
    }

    /// The available migrations not in `applied`, after checking the applied ones are unchanged and present.
    func pending(_ available: [Migration], applied: [AppliedRow]) throws -> [Migration] {
        let byVersion = Dictionary(available.map { ($0.version, $0) }, uniquingKeysWith: { first, _ in first })
        for row in applied {
            guard let migration = byVersion[row.version] else {
                throw MigrationError(
                    .missingFile,
                    "migration \(String(format: "%03d", row.version))_\(row.name).sql was applied but is no longer in "
                        + "\(directory.path): restore it (applied migrations stay applied)")
            }
            guard migration.checksum == row.checksum else {
                throw MigrationError(
                    .changedAfterApplied,
                    "migration \(migration.fileName) was changed after it was applied (SHA-256 \(row.checksum) when "
                        + "applied, \(migration.checksum) now): restore it and put the change in a new migration")
            }
        }
        let appliedVersions = Set(applied.map(\.version))
        let pending = available.filter { !appliedVersions.contains($0.version) }
        if let last = applied.last, let early = pending.first, early.version < last.version {
            let lastName = byVersion[last.version]?.fileName ?? "\(last.version)"
            throw MigrationError(
                .outOfOrder,
                "migration \(early.fileName) is numbered below \(lastName), which is already applied: "
                    + "renumber it above \(last.version)")
        }
        return pending
    }

    /// `(version, name)` of `NNN_name.sql`.
    static func parse(fileName: String) -> (Int, String)? {
        guard fileName.hasSuffix(".sql") else { return nil }
        let stem = fileName.dropLast(4)
        let digits = stem.prefix { $0.isASCII && $0.isNumber }
        let rest = stem.dropFirst(digits.count)
        guard !digits.isEmpty, rest.hasPrefix("_"), rest.count > 1, let version = Int(digits),
            version <= Int(Int32.max)
        else { return nil }
        return (version, String(rest.dropFirst()))
    }

    // MARK: - Finding the folder

    /// The default migrations folder: `PARCOURS_MIGRATIONS` if set; else `./db`; else the `db/` of the package
    /// whose build folder holds the running executable (`…/.build/debug/parcours` → `…/db`), or
    /// `<prefix>/share/parcours/db` beside an installed `<prefix>/bin/parcours`; else, for tests, the `db/` of the
    /// source tree this file was compiled from. Nil when none exists.
    public static func locateDefaultDirectory(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        currentDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    ) -> URL? {
        if let path = environment["PARCOURS_MIGRATIONS"], !path.isEmpty {
            return URL(fileURLWithPath: path, relativeTo: currentDirectory).standardizedFileURL
        }
        let local = currentDirectory.appendingPathComponent("db")
        if isDirectory(local) { return local.standardizedFileURL }
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            var folder = executable.deletingLastPathComponent()
            let installed = folder.deletingLastPathComponent().appendingPathComponent("share/parcours/db")
            while folder.path != "/" && !folder.path.isEmpty {
                let candidate = folder.appendingPathComponent("db")
                if isDirectory(candidate),
                    FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path)
                {
                    return candidate
                }
                folder = folder.deletingLastPathComponent()
            }
            if isDirectory(installed) { return installed.standardizedFileURL }
        }
        // Sources/ParcoursRuntime/Database/Migrator.swift → the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let source = root.appendingPathComponent("db")
        return isDirectory(source) ? source : nil
    }

    private static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
