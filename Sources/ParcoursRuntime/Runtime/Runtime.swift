import Crypto
import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import PostgresNIO
import Synchronization

/// The durable runtime: it applies the interpreter's steps to PostgreSQL, one external event per transaction,
/// for many tenants at once. The CLI, the HTTP API, the workers and the tests all go through it.
public final class Runtime: Sendable {
    public let client: PostgresClient
    public let catalog: ActionCatalog
    public let clock: any RuntimeClock
    public let actions: any ActionPerforming
    public let assignees: any AssigneeResolving
    public let sealer: SecretSealer
    public let logger: Logger
    /// Where the runtime's transactions and one-statement events get their connections (see `ConnectionLender`).
    public let lender: ConnectionLender
    let definitions = DefinitionCache()
    let instanceCache = InstanceCache()
    /// How many events `applyFromCache` applied in one statement (the rest took the locking path).
    let eventsAppliedFromCache = Atomic<Int>(0)
    /// Set when the database has no `parcours_apply_event_checked` (not migrated to db/005): every event locks.
    let applyEventUnavailable = Atomic<Bool>(false)

    /// Held connections by default: half of PostgresClient's default pool (20 connections).
    public static let defaultHeldConnections = 10

    /// The channel `NOTIFY`-ed when new timers or mail are written, so that workers wake up at once.
    public static let workChannel = "parcours_work"

    /// - Parameter heldConnections: how many of the pool's connections the runtime keeps leased between its uses
    ///   (`ConnectionLender`); keep it below the pool's `maximumConnections`, whose other users (actions' own
    ///   queries, the API's reads) lease from the rest. 0 leases from the pool at every use.
    public init(
        client: PostgresClient, catalog: ActionCatalog, clock: any RuntimeClock = SystemClock(),
        actions: any ActionPerforming, assignees: any AssigneeResolving, sealer: SecretSealer, logger: Logger,
        heldConnections: Int = Runtime.defaultHeldConnections
    ) {
        self.client = client
        self.lender = ConnectionLender(client: client, capacity: heldConnections)
        self.catalog = catalog
        self.clock = clock
        self.actions = actions
        self.assignees = assignees
        self.sealer = sealer
        self.logger = logger
    }

    // MARK: - Transactions

    /// Runs `body` in a transaction scoped to `tenant` (row-level security sees only its rows). Deadlocks and
    /// serialization failures are retried; errors thrown by `body` come back unwrapped.
    ///
    /// `BEGIN`, the tenant setting and `COMMIT` are prepared statements (`Statements`), as the hot statements of
    /// an event are.
    public func inTenant<Result: Sendable>(
        _ tenant: String, _ body: @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await lender.withConnection { connection in
                    // The transaction runs on its connection's event loop (see EventLoopExecutor).
                    try await EventLoopExecutor.prefer(connection.eventLoop) {
                        try await self.transaction(tenant, on: connection, body)
                    }
                }
            } catch let lost as ConnectionLostAtBegin {
                // Nothing of the transaction reached the server: another connection may take it.
                if attempt < 4 { continue }
                throw lost.underlying ?? lost
            } catch {
                if attempt < 4, Self.isRetryable(error) { continue }
                throw error
            }
        }
    }

    /// A connection found dead when its transaction began (the pool keeps no keep-alive: see
    /// `DatabaseConfiguration.clientConfiguration()`).
    private struct ConnectionLostAtBegin: Error, CustomStringConvertible {
        var underlying: (any Error)?
        var description: String {
            underlying.map { String(reflecting: $0) }
                ?? "the database connection was closed before the transaction began"
        }
    }

    /// One transaction on a leased connection: `BEGIN`, the tenant, `body`, `COMMIT`; `ROLLBACK` when anything
    /// fails before the commit.
    private func transaction<Result: Sendable>(
        _ tenant: String, on connection: PostgresConnection,
        _ body: @Sendable (PostgresConnection) async throws -> Result
    ) async throws -> Result {
        // A statement written to a closed channel would wait forever (PostgresNIO completes it only through its
        // handler, which a closed channel no longer has). The transaction runs on the connection's event loop, so
        // nothing can close the channel between this check and the write of BEGIN.
        guard !connection.isClosed else { throw ConnectionLostAtBegin(underlying: nil) }
        do {
            try await connection.run(Statements.Begin(), logger: logger)
        } catch let error as PSQLError where Self.isConnectionLost(error) {
            throw ConnectionLostAtBegin(underlying: error)
        }
        let result: Result
        do {
            try await connection.run(Statements.SetTenant(tenant: tenant), logger: logger)
            result = try await body(connection)
        } catch {
            do {
                try await connection.run(Statements.Rollback(), logger: logger)
            } catch {
                // The connection is unusable (or still in a transaction): the pool must not lend it again.
                try? await connection.close()
            }
            // A statement prepared in a failed transaction would stay failed on this connection.
            if Self.sqlState(error) == "25P02" { try? await connection.close() }
            throw error
        }
        try await connection.run(Statements.Commit(), logger: logger)
        return result
    }

    /// Whether the connection is gone: closed, broken, or ended by the server (SQLSTATE class 57, operator
    /// intervention, e.g. `pg_terminate_backend`; class 08, connection exception).
    static func isConnectionLost(_ error: PSQLError) -> Bool {
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown: return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("57") || state.hasPrefix("08")
        default: return false
        }
    }

    static func isRetryable(_ error: any Error) -> Bool {
        guard let psql = error as? PSQLError, let state = psql.serverInfo?[.sqlState] else { return false }
        return state == "40001" || state == "40P01"
    }

    /// The SQLSTATE of a PostgreSQL error, if it is one.
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    // MARK: - Tenants

    /// Creates a tenant and returns its administrator key, shown once: only its hash is stored.
    public func createTenant(id: String, name: String) async throws -> String {
        guard id.range(of: #"^[a-z0-9][a-z0-9_-]{0,62}$"#, options: .regularExpression) != nil else {
            throw RuntimeError(
                .invalidInput, "invalid tenant id '\(id)': lower-case letters, digits, '-' and '_', 63 at most")
        }
        let keyId = String(UUID().uuidString.prefix(8)).lowercased()
        let secret = Self.randomToken()
        let key = "pk_\(id)_\(keyId)_\(secret)"
        do {
            try await client.withConnection { connection in
                try await connection.run(
                    "SELECT parcours_create_tenant(\(id), \(name), \(keyId), \(Self.hash(key)))", logger: self.logger)
            }
        } catch {
            if Self.sqlState(error) == "23505" { throw RuntimeError(.conflict, "tenant '\(id)' already exists") }
            throw error
        }
        return key
    }

    /// The tenant an administrator key belongs to, or nil.
    public func tenant(forAdminKey key: String) async throws -> String? {
        let rows = try await client.query("SELECT parcours_tenant_for_key(\(Self.hash(key)))", logger: logger)
        for try await (tenant) in rows.decode(String?.self) { return tenant }
        return nil
    }

    /// Whether a tenant exists.
    public func tenantExists(_ tenant: String) async throws -> Bool {
        try await inTenant(tenant) { connection in
            let rows = try await connection.query(
                "SELECT 1 FROM tenants WHERE tenant_id = \(tenant)", logger: self.logger)
            for try await _ in rows.decode(Int.self) { return true }
            return false
        }
    }

    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// 256 random bits, URL-safe base64.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
