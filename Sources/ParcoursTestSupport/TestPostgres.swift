import Foundation
import Logging
import ParcoursRuntime
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The PostgreSQL server of the tests: `DATABASE_URL` when set, else one throwaway ``EmbeddedPostgres`` per test
/// process (`fsync=off`, in a temporary folder), started on first use and stopped when the process exits.
///
/// Each test takes a database of its own with ``freshDatabase(template:)``; a schema needed by many tests is
/// built once with ``makeTemplate(named:prepare:)`` and copied (`CREATE DATABASE … TEMPLATE`), which takes
/// milliseconds.
public enum TestPostgres {
    /// The superuser configuration of the test server (database `postgres`).
    public static func server() async throws -> DatabaseConfiguration {
        try await coordinator.server()
    }

    /// A new, empty database (or a copy of the template `template`), named `t_<random>`, on the test server.
    public static func freshDatabase(template: String? = nil) async throws -> DatabaseConfiguration {
        let server = try await server()
        var physicalTemplate: String?
        if let template {
            guard await coordinator.isReady(template) else {
                throw TestPostgresError("the template \(template) was not made: call makeTemplate(named:) first")
            }
            physicalTemplate = physicalName(template)
        }
        let name = "t_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        try await withConnection(to: server) { connection in
            var sql = "CREATE DATABASE \"\(name)\""
            if let physicalTemplate { sql += " TEMPLATE \"\(physicalTemplate)\"" }
            // PostgreSQL 15 copies through the WAL by default; copying the files is about twice as fast here.
            if try await serverVersion(on: connection) >= 150_000 { sql += " STRATEGY FILE_COPY" }
            try await execute(sql, on: connection)
        }
        return server.with(database: name)
    }

    /// Builds the template database `name` once per process: the first caller runs `prepare` on a new database
    /// (migrating it, say), concurrent callers wait for it, later callers return at once; a failure is rethrown
    /// to every caller. Connections `prepare` leaves open to it are closed afterwards.
    public static func makeTemplate(
        named name: String, prepare: (DatabaseConfiguration) async throws -> Void
    ) async throws {
        guard name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }), !name.isEmpty else {
            throw TestPostgresError("a template name is made of a-z, 0-9 and _, not \(name)")
        }
        guard try await coordinator.claimTemplate(name) else { return }
        do {
            let server = try await server()
            let physical = physicalName(name)
            try await withConnection(to: server) { connection in
                try await execute("DROP DATABASE IF EXISTS \"\(physical)\"", on: connection)
                try await execute("CREATE DATABASE \"\(physical)\"", on: connection)
            }
            try await prepare(server.with(database: physical))
            try await withConnection(to: server) { connection in
                // No one may stay connected to a template while it is copied.
                try await execute("ALTER DATABASE \"\(physical)\" WITH ALLOW_CONNECTIONS false", on: connection)
                try await execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '\(physical)'",
                    on: connection)
            }
            await coordinator.finishTemplate(name, .success(()))
        } catch {
            await coordinator.finishTemplate(name, .failure(error))
            throw error
        }
    }

    /// Runs `body` with a connection to `configuration`, closed afterwards.
    public static func withConnection<Result>(
        to configuration: DatabaseConfiguration, _ body: (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let connection = try await PostgresConnection.connect(
            configuration: try configuration.connectionConfiguration(), id: 1, logger: logger)
        do {
            let result = try await body(connection)
            try await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// `server_version_num`, as 150018 for 15.18.
    public static func serverVersion(on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(
            "SELECT current_setting('server_version_num')::int", logger: logger)
        var version = 0
        for try await value in rows.decode(Int.self) { version = value }
        return version
    }

    /// Runs one statement and reads its rows.
    public static func execute(_ sql: String, on connection: PostgresConnection) async throws {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await _ in rows {}
    }

    public static let logger = Logger(label: "parcours.tests.postgres")

    /// A new temporary folder for a test's own cluster (in `<folder>/data`), marked with this process's id: if the
    /// process is killed, a later test run stops that cluster and deletes the folder.
    public static func temporaryClusterFolder() throws -> URL {
        try EmbeddedPostgres.makeOwnedFolder(prefix: ExitCleanup.folderPrefix)
    }

    // MARK: - Process-wide state

    private static let coordinator = Coordinator()

    /// Distinguishes this process's templates from another test process's on a shared `DATABASE_URL` server.
    private static let processToken = String(UInt32.random(in: 0...UInt32.max), radix: 16)

    private static func physicalName(_ template: String) -> String { "tpl_\(template)_\(processToken)" }

    /// Starts the server once and tracks the templates.
    private actor Coordinator {
        private var started: Task<DatabaseConfiguration, any Error>?
        private var templates: [String: TemplateState] = [:]

        private enum TemplateState {
            case building([CheckedContinuation<Void, any Error>])
            case ready
            case failed(any Error)
        }

        func server() async throws -> DatabaseConfiguration {
            if let started { return try await started.value }
            let task = Task { try await Self.startServer() }
            started = task
            return try await task.value
        }

        func isReady(_ template: String) -> Bool {
            if case .ready = templates[template] { return true }
            return false
        }

        /// True when the caller must build the template; else waits until it is built (or throws its failure).
        func claimTemplate(_ name: String) async throws -> Bool {
            switch templates[name] {
            case nil:
                templates[name] = .building([])
                return true
            case .ready:
                return false
            case .failed(let error):
                throw error
            case .building(var waiting):
                try await withCheckedThrowingContinuation { continuation in
                    waiting.append(continuation)
                    templates[name] = .building(waiting)
                }
                return false
            }
        }

        func finishTemplate(_ name: String, _ result: Result<Void, any Error>) {
            if case .building(let waiting) = templates[name] {
                for continuation in waiting { continuation.resume(with: result) }
            }
            switch result {
            case .success: templates[name] = .ready
            case .failure(let error): templates[name] = .failed(error)
            }
        }

        private static func startServer() async throws -> DatabaseConfiguration {
            let environment = ProcessInfo.processInfo.environment
            if let url = environment["DATABASE_URL"], !url.isEmpty {
                return try DatabaseConfiguration.resolve(url: url, environment: environment)
            }
            ExitCleanup.shared.removeAbandonedClusters()
            let folder = try TestPostgres.temporaryClusterFolder()
            let postgres = EmbeddedPostgres(
                dataDirectory: folder.appendingPathComponent("data"), forTests: true, logger: logger)
            ExitCleanup.shared.register(postgres, folder: folder)
            return try await postgres.start()
        }
    }

    /// Stops the test server and deletes its folder when the process exits (an `atexit` hook: no task can run
    /// then, so `pg_ctl stop` runs synchronously); removes the clusters of test processes that died.
    private final class ExitCleanup: @unchecked Sendable {
        static let shared = ExitCleanup()
        static let folderPrefix = "parcours-test-pg-"

        private let lock = NSLock()
        private var servers: [(EmbeddedPostgres, URL)] = []
        private var hooked = false

        func register(_ server: EmbeddedPostgres, folder: URL) {
            lock.withLock {
                servers.append((server, folder))
                if !hooked {
                    hooked = true
                    atexit { ExitCleanup.shared.run() }
                }
            }
        }

        private func run() {
            let servers = lock.withLock { self.servers }
            for (server, folder) in servers {
                server.stopBlocking()
                try? FileManager.default.removeItem(at: folder)
            }
        }

        /// Stops and deletes the test clusters whose process is gone (killed before its `atexit` ran).
        func removeAbandonedClusters() {
            EmbeddedPostgres.removeAbandonedClusters(prefix: Self.folderPrefix, dataFolder: "data")
        }
    }
}

/// A misuse of ``TestPostgres``.
public struct TestPostgresError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension TestPostgres {
    /// The package's root folder (where `db/`, `workflows/` and `examples/` are).
    public static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The template database with every migration of `db/` applied and the server role made, built once per test
    /// process. Copy it with ``freshDatabase(template:)``.
    public static func migratedTemplate() async throws -> String {
        let name = "parcours_template"
        try await makeTemplate(named: name) { configuration in
            try await withConnection(to: configuration) { connection in
                _ = try await Migrator(directory: packageRoot.appendingPathComponent("db")).migrate(
                    on: connection, logger: logger)
                try await ServerRole.ensure(on: connection, logger: logger)
            }
        }
        return name
    }
}
