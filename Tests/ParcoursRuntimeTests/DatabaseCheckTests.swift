import Foundation
import ParcoursRuntime
import ParcoursTestSupport
import Testing

@Suite("The fast database check gives the real cause")
struct DatabaseCheckTests {
    /// Not a performance target: PostgresClient alone retries for about a minute before a vague error; the check
    /// must answer with the real cause well before that, even on a machine busy with parallel tests.
    static let farBelowAMinute: Duration = .seconds(20)
    /// Runs the check and returns its error, with how long it took.
    func failure(_ configuration: DatabaseConfiguration) async -> (DatabaseUnavailable?, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        do {
            try await DatabaseCheck.verify(configuration, timeout: .seconds(3))
            return (nil, clock.now - start)
        } catch {
            return (error as? DatabaseUnavailable, clock.now - start)
        }
    }

    @Test("succeeds on the test server")
    func succeeds() async throws {
        try await DatabaseCheck.verify(try await TestPostgres.server(), timeout: .seconds(5))
    }

    @Test("a closed port: connection refused at host:port, at once")
    func refusedConnection() async throws {
        let port = try await closedPort()
        let configuration = DatabaseConfiguration(host: "127.0.0.1", port: port, username: "u", database: "d")
        let (error, elapsed) = await failure(configuration)
        let unavailable = try #require(error)
        #expect(unavailable.reason == .connectionRefused)
        #expect(unavailable.description.contains("connection refused at 127.0.0.1:\(port)"))
        #expect(unavailable.description.contains("is PostgreSQL running"))
        #expect(elapsed < Self.farBelowAMinute)
    }

    @Test("a missing socket file")
    func missingSocket() async throws {
        let configuration = try DatabaseConfiguration.resolve(
            url: "postgres://u@/d?host=/nonexistent-parcours-folder", environment: [:])
        let (error, _) = await failure(configuration)
        let unavailable = try #require(error)
        #expect(unavailable.reason == .socketNotFound)
        #expect(unavailable.description.contains("/nonexistent-parcours-folder/.s.PGSQL.5432"))
    }

    @Test("a database that does not exist")
    func missingDatabase() async throws {
        let server = try await TestPostgres.server()
        let (error, elapsed) = await failure(server.with(database: "no_such_database"))
        let unavailable = try #require(error)
        #expect(unavailable.reason == .databaseNotFound)
        #expect(unavailable.description.contains("database \"no_such_database\" does not exist"))
        #expect(elapsed < Self.farBelowAMinute)
    }

    @Test("a role that does not exist")
    func missingRole() async throws {
        let server = try await TestPostgres.server()
        let (error, _) = await failure(server.with(username: "no_such_role", password: nil))
        let unavailable = try #require(error)
        #expect(unavailable.reason == .roleNotFound)
        #expect(unavailable.description.contains("role \"no_such_role\" does not exist"))
    }

    @Test("TLS required but the server has none")
    func tlsUnsupported() async throws {
        var server = try await TestPostgres.server()
        guard server.unixSocketPath == nil else { return }
        server.tlsMode = .require
        let (error, _) = await failure(server)
        let unavailable = try #require(error)
        #expect(unavailable.reason == .tlsUnsupported)
        #expect(unavailable.description.contains("does not support TLS"))
    }

    @Test("something that is not PostgreSQL")
    func notPostgres() async throws {
        // A listener that answers garbage and hangs up.
        let (port, stop) = try await garbageServer()
        defer { stop() }
        let configuration = DatabaseConfiguration(
            host: "127.0.0.1", port: port, username: "u", database: "d", tlsMode: .disable)
        let (error, elapsed) = await failure(configuration)
        let unavailable = try #require(error)
        #expect(unavailable.reason == .notPostgres || unavailable.reason == .other)
        #expect(elapsed < Self.farBelowAMinute)
    }

    @Test("a silent server: timeout within the limit")
    func noAnswer() async throws {
        let (port, stop) = try await silentServer()
        defer { stop() }
        let configuration = DatabaseConfiguration(
            host: "127.0.0.1", port: port, username: "u", database: "d", tlsMode: .disable)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            try await DatabaseCheck.verify(configuration, timeout: .seconds(1))
        } throws: { error in
            (error as? DatabaseUnavailable)?.reason == .timeout
        }
        #expect(clock.now - start < Self.farBelowAMinute)
    }
}
