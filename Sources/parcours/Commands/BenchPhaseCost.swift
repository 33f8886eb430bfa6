import Foundation
import Logging
import ParcoursRuntime
import PostgresNIO

/// Reads what the benchmark's two sides spend: CPU (this process, the children it waited for, the embedded server's
/// processes) and the server's WAL position.
struct PhaseProbe: Sendable {
    /// The embedded server's postmaster; nil with `--database-url` (its processes may be on another machine).
    var postmaster: Int32?
    /// A role that may read `pg_current_wal_lsn()`.
    var superuser: DatabaseConfiguration
    var logger: Logger

    /// Bytes of WAL written since the cluster began, and the WAL flushes (`fdatasync` and the like) since the
    /// statistics were reset; nil when the server cannot be asked.
    func walPosition() async -> (bytes: Double, flushes: Double)? {
        guard
            let connection = try? await PostgresConnection.connect(
                configuration: try superuser.connectionConfiguration(), id: 6, logger: logger)
        else { return nil }
        var position: (Double, Double)?
        do {
            let rows = try await connection.query(
                "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::float8, wal_sync::float8 FROM pg_stat_wal",
                logger: logger)
            for try await (bytes, flushes) in rows.decode((Double, Double).self) { position = (bytes, flushes) }
        } catch {
            position = nil
        }
        try? await connection.close()
        return position
    }
}

/// The cumulative counters of a `PhaseProbe` at one moment.
struct PhaseSample: Sendable {
    var ownCPU: Double
    var childrenCPU: Double
    var serverCPU: Double?
    var wal: Double?
    var walFlushes: Double?

    static func take(_ probe: PhaseProbe) async -> PhaseSample {
        let wal = await probe.walPosition()
        return PhaseSample(
            ownCPU: CPUTime.ownProcess(), childrenCPU: CPUTime.waitedChildren(),
            serverCPU: probe.postmaster.flatMap(CPUTime.serverTree(postmaster:)), wal: wal?.bytes,
            walFlushes: wal?.flushes)
    }
}

/// What one side cost per transaction over a measured window: the client's CPU (the runtime's process, or pgbench),
/// the server's CPU, the WAL written and its flushes. The WAL tells whether pgbench's script writes what the runtime
/// writes: with smaller rows or fewer changed bytes the bare-SQL limit would be measured on lighter work. The flushes
/// tell how many commits shared one (group commit): fewer per flush cost the server more per transaction.
struct PhaseCost: Sendable {
    var clientCPU: Double?
    var serverCPU: Double?
    var walBytes: Double?
    var walFlushes: Double?
}

extension PhaseCost {
    init(from before: PhaseSample, to after: PhaseSample, client: KeyPath<PhaseSample, Double>, transactions: Int) {
        let count = Double(max(1, transactions))
        func difference(_ path: KeyPath<PhaseSample, Double?>) -> Double? {
            guard let start = before[keyPath: path], let end = after[keyPath: path] else { return nil }
            return (end - start) / count
        }
        self.init(
            clientCPU: (after[keyPath: client] - before[keyPath: client]) / count, serverCPU: difference(\.serverCPU),
            walBytes: difference(\.wal), walFlushes: difference(\.walFlushes))
    }

    /// `per transaction: client CPU 0.121 ms, server CPU 0.228 ms, WAL 1096 B in 0.35 flushes`.
    var summary: String {
        func milliseconds(_ value: Double?) -> String { value.map { String(format: "%.3f ms", $0 * 1000) } ?? "n/a" }
        let wal = walBytes.map { String(format: "%.0f B", $0) } ?? "n/a"
        let flushes = walFlushes.map { String(format: "%.2f", $0) } ?? "n/a"
        return
            "per transaction: client CPU \(milliseconds(clientCPU)), server CPU \(milliseconds(serverCPU)), WAL \(wal) in \(flushes) flushes"
    }
}
