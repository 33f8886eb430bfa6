import Logging
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Keeps connections leased from a `PostgresClient` between the runtime's uses of them.
///
/// A lease from PostgresNIO's pool and its release cost about 15 µs of CPU (a generic state machine behind a lock, a
/// continuation, a cancellation handler): as much as a third of what the runtime spends on an event applied in one
/// statement. The lender holds up to `capacity` leases, each by a task parked inside `PostgresClient.withConnection`,
/// and lends their connections to the runtime under a lock for a few hundred nanoseconds.
///
/// The pool stays the owner of every connection. A held lease goes back to it when its connection has not been
/// used for `idleTime` (so that the pool's other users, and its idle timeout, get it back when the load stops),
/// when the connection closes (the pool then replaces it), and when the lender is shut down. Keep `capacity` below
/// the pool's maximum: a caller that finds no held connection free leases from the pool as usual, and must find one
/// there while the held ones are busy.
public final class ConnectionLender: Sendable {
    public let client: PostgresClient
    /// The most leases held at once; 0 turns the lender off (every use leases from the pool).
    public let capacity: Int
    /// How long a held connection may stay unused before its lease goes back to the pool.
    public let idleTime: Duration

    /// One held lease: the connection, and what ends the task that holds it.
    private final class Holding: Sendable {
        let connection: PostgresConnection
        /// Resumed exactly once, by whoever takes the holding out of the lender for good.
        let release: CheckedContinuation<Void, Never>

        init(connection: PostgresConnection, release: CheckedContinuation<Void, Never>) {
            self.connection = connection
            self.release = release
        }
    }

    private struct State {
        /// Held connections that are free, the most recently used last.
        var idle: [(holding: Holding, since: ContinuousClock.Instant)] = []
        /// Tasks holding (or about to hold) a lease: free, lent or starting.
        var holders = 0
        var reaperRunning = false
        var shutDown = false
    }

    private let state = Mutex(State())
    /// How many uses found a held connection free (the rest leased from the pool).
    let reuses = Atomic<Int>(0)

    public init(client: PostgresClient, capacity: Int, idleTime: Duration = .milliseconds(250)) {
        self.client = client
        self.capacity = max(0, capacity)
        self.idleTime = idleTime
    }

    /// Runs `body` with a connection: a held one when one is free, else one leased from the pool for this call
    /// (and, while fewer than `capacity` are held, a lease is taken to be held for the next calls).
    public func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws
        -> Result
    {
        if let holding = take() {
            reuses.add(1, ordering: .relaxed)
            let result: Result
            do {
                result = try await body(holding.connection)
            } catch {
                giveBack(holding)
                throw error
            }
            giveBack(holding)
            return result
        }
        startHolderIfRoom()
        return try await client.withConnection(body)
    }

    /// Gives every held lease back to the pool and holds none from now on. Call it before the pool shuts down (a
    /// held lease otherwise goes back only once its connection is closed and `idleTime` has passed).
    public func shutDown() {
        let released = state.withLock { state -> [Holding] in
            state.shutDown = true
            defer { state.idle = [] }
            return state.idle.map(\.holding)
        }
        for holding in released { holding.release.resume() }
    }

    /// How many leases are held (free or lent), and how many are free.
    var usage: (held: Int, free: Int) { state.withLock { ($0.holders, $0.idle.count) } }

    // MARK: - Internals

    private func take() -> Holding? {
        guard capacity > 0 else { return nil }
        var closed: [Holding] = []
        let holding = state.withLock { state -> Holding? in
            // A connection of the caller's event loop first (a caller running on a loop, as a NIO handler does,
            // then needs no thread hop); else the one given back last.
            if let index = state.idle.lastIndex(where: { $0.holding.connection.eventLoop.inEventLoop }),
                !state.idle[index].holding.connection.isClosed
            {
                return state.idle.remove(at: index).holding
            }
            while let last = state.idle.popLast() {
                if last.holding.connection.isClosed {
                    closed.append(last.holding)
                    continue
                }
                return last.holding
            }
            return nil
        }
        for holding in closed { holding.release.resume() }
        return holding
    }

    private func giveBack(_ holding: Holding) {
        let keep = state.withLock { state -> Bool in
            guard !state.shutDown, !holding.connection.isClosed else { return false }
            state.idle.append((holding, .now))
            return true
        }
        // A closed connection goes back to the pool, which replaces it.
        if !keep { holding.release.resume() }
    }

    private func startHolderIfRoom() {
        guard capacity > 0 else { return }
        let (start, startReaper) = state.withLock { state -> (Bool, Bool) in
            guard !state.shutDown, state.holders < capacity else { return (false, false) }
            state.holders += 1
            let reaper = !state.reaperRunning
            state.reaperRunning = true
            return (true, reaper)
        }
        if start { Task { await self.hold() } }
        if startReaper { Task { await self.reap() } }
    }

    /// Holds one lease until it is released (see `Holding.release`).
    private func hold() async {
        do {
            try await client.withConnection { connection in
                await withCheckedContinuation { (release: CheckedContinuation<Void, Never>) in
                    let holding = Holding(connection: connection, release: release)
                    let admitted = state.withLock { state -> Bool in
                        guard !state.shutDown, !connection.isClosed else { return false }
                        state.idle.append((holding, .now))
                        return true
                    }
                    if !admitted { release.resume() }
                }
            }
        } catch {
            // The pool lent nothing (it is shutting down, or cannot connect): there is nothing to hold.
        }
        state.withLock { $0.holders -= 1 }
    }

    /// While leases are held: gives back those free for longer than `idleTime`, and those whose connection closed.
    private func reap() async {
        while true {
            try? await Task.sleep(for: idleTime / 2)
            let now = ContinuousClock.now
            let (released, done) = state.withLock { state -> ([Holding], Bool) in
                var released: [Holding] = []
                state.idle.removeAll { entry in
                    let stale = entry.holding.connection.isClosed || now - entry.since >= idleTime
                    if stale { released.append(entry.holding) }
                    return stale
                }
                let done = state.holders - released.count <= 0
                if done { state.reaperRunning = false }
                return (released, done)
            }
            for holding in released { holding.release.resume() }
            if done { return }
        }
    }
}

extension ConnectionLender: Service {
    /// Waits for the service group's graceful shutdown, then gives every held lease back (`shutDown()`). List it
    /// after the `PostgresClient` in the group: services stop in reverse order, so the leases go back before the pool
    /// stops.
    public func run() async throws {
        try? await gracefulShutdown()
        shutDown()
    }
}
