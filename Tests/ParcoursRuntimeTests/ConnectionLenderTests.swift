import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization
import Testing

@testable import ParcoursRuntime

@Suite("Runtime: held connections")
struct ConnectionLenderTests {
    /// Runs `body` with a lender over a client of at most `poolSize` connections to a fresh database.
    static func withLender(
        capacity: Int, poolSize: Int = 8, idleTime: Duration = .milliseconds(250),
        _ body: @Sendable (ConnectionLender, RuntimeFixture) async throws -> Void
    ) async throws {
        try await RuntimeFixture.with { fixture in
            var configuration = fixture.database.clientConfiguration()
            configuration.options.maximumConnections = poolSize
            let client = PostgresClient(configuration: configuration, backgroundLogger: fixture.logger)
            let lender = ConnectionLender(client: client, capacity: capacity, idleTime: idleTime)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await client.run() }
                defer {
                    lender.shutDown()
                    group.cancelAll()
                }
                try await body(lender, fixture)
            }
        }
    }

    /// The backend's pid: which server connection a call was given.
    static func backend(_ connection: PostgresConnection, _ logger: Logger) async throws -> Int {
        let rows = try await connection.query("SELECT pg_backend_pid()", logger: logger)
        for try await pid in rows.decode(Int.self) { return pid }
        throw RuntimeError(.notFound, "no pid")
    }

    @Test func heldConnectionsAreLentAgainWithoutLeasingFromThePool() async throws {
        try await Self.withLender(capacity: 2) { lender, fixture in
            var backends = Set<Int>()
            for _ in 0..<20 {
                backends.insert(try await lender.withConnection { try await Self.backend($0, fixture.logger) })
                // The first use starts a holder in the background; let it take its lease.
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(lender.reuses.load(ordering: .relaxed) >= 15)
            #expect(lender.usage.held >= 1 && lender.usage.held <= 2)
            // Sequential uses reuse what is held: at most the held connections and the first call's own lease.
            #expect(backends.count <= 3)
        }
    }

    @Test func aConnectionIsNeverLentToTwoCallersAtOnce() async throws {
        try await Self.withLender(capacity: 4, poolSize: 6) { lender, fixture in
            let tracker = InUse()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<25 {
                            try await lender.withConnection { connection in
                                let pid = try await Self.backend(connection, fixture.logger)
                                tracker.enter(pid)
                                _ = try await connection.query("SELECT pg_sleep(0.001)", logger: fixture.logger)
                                    .collect()
                                tracker.leave(pid)
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(tracker.overlaps.load(ordering: .relaxed) == 0)
            #expect(lender.reuses.load(ordering: .relaxed) > 0)
            #expect(lender.usage.held <= 4)
        }
    }

    @Test func idleLeasesGoBackToThePool() async throws {
        try await Self.withLender(capacity: 3, idleTime: .milliseconds(100)) { lender, fixture in
            for _ in 0..<5 {
                _ = try await lender.withConnection { try await Self.backend($0, fixture.logger) }
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(lender.usage.held >= 1)
            // Unused for longer than the idle time (the reaper looks every half of it).
            try await Task.sleep(for: .milliseconds(400))
            #expect(lender.usage.held == 0)
            #expect(lender.usage.free == 0)
        }
    }

    @Test func aPoolFullOfHeldConnectionsStillServesItsOtherUsers() async throws {
        // Every connection of the pool held: a direct lease waits only until the held ones are idle long enough.
        try await Self.withLender(capacity: 2, poolSize: 2, idleTime: .milliseconds(100)) { lender, fixture in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask {
                        for _ in 0..<5 {
                            _ = try await lender.withConnection { try await Self.backend($0, fixture.logger) }
                            try await Task.sleep(for: .milliseconds(5))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let pid = try await lender.client.withConnection { try await Self.backend($0, fixture.logger) }
            #expect(pid > 0)
        }
    }

    @Test func closedConnectionsAreGivenBackAndReplaced() async throws {
        try await Self.withLender(capacity: 2) { lender, fixture in
            for _ in 0..<5 {
                _ = try await lender.withConnection { try await Self.backend($0, fixture.logger) }
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(lender.usage.held >= 1)
            let terminated = try await fixture.superuserQuery(
                """
                SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity
                WHERE usename = '\(ServerRole.name)' AND datname = current_database()
                """)
            #expect(!terminated.isEmpty)
            try await Task.sleep(for: .milliseconds(100))
            // The held connections are closed: none is lent again, new ones come from the pool.
            var answered = 0
            for _ in 0..<5 {
                do {
                    _ = try await lender.withConnection { try await Self.backend($0, fixture.logger) }
                    answered += 1
                } catch {
                    // A connection whose close had not been seen yet fails its statement; the next use goes on.
                }
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(answered >= 4)
        }
    }

    @Test func asAServiceItGivesItsLeasesBackAtGracefulShutdown() async throws {
        try await Self.withLender(capacity: 2, idleTime: .seconds(60)) { lender, fixture in
            let group = ServiceGroup(services: [lender], logger: fixture.logger)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                for _ in 0..<3 {
                    _ = try await lender.withConnection { try await Self.backend($0, fixture.logger) }
                    try await Task.sleep(for: .milliseconds(5))
                }
                // Held, and far from idle long enough to go back on their own.
                #expect(lender.usage.held >= 1)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
            }
            try await Task.sleep(for: .milliseconds(50))
            #expect(lender.usage.held == 0)
        }
    }

    @Test func aLenderWithoutCapacityOrShutDownHoldsNothing() async throws {
        try await Self.withLender(capacity: 0) { lender, fixture in
            for _ in 0..<5 {
                _ = try await lender.withConnection { try await Self.backend($0, fixture.logger) }
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(lender.usage.held == 0)
            #expect(lender.reuses.load(ordering: .relaxed) == 0)
        }
        try await Self.withLender(capacity: 2) { lender, fixture in
            for _ in 0..<3 {
                _ = try await lender.withConnection { try await Self.backend($0, fixture.logger) }
                try await Task.sleep(for: .milliseconds(5))
            }
            lender.shutDown()
            try await Task.sleep(for: .milliseconds(50))
            #expect(lender.usage.held == 0)
            _ = try await lender.withConnection { try await Self.backend($0, fixture.logger) }
            try await Task.sleep(for: .milliseconds(20))
            #expect(lender.usage.held == 0)
        }
    }
}

/// The backends in use, and how often one was given to a second caller while in use.
final class InUse: Sendable {
    let pids = Mutex(Set<Int>())
    let overlaps = Atomic<Int>(0)

    func enter(_ pid: Int) {
        if !pids.withLock({ $0.insert(pid).inserted }) { overlaps.add(1, ordering: .relaxed) }
    }

    func leave(_ pid: Int) { _ = pids.withLock { $0.remove(pid) } }
}
