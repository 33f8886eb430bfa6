import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import PostgresNIO

extension Runtime {
    /// Fires the timers due by now, each in its own transaction. The instance row is locked with
    /// `FOR UPDATE SKIP LOCKED`: an instance busy with an event or in another worker's hands is skipped and taken up
    /// in a later round, so that several workers never fire one timer twice. Timers that fell due while no worker
    /// ran (a restart past the due time) fire on the first round.
    @discardableResult
    public func fireDueTimers(limit: Int = 200) async throws -> Int {
        let now = clock.now()
        var tenants: [String] = []
        let rows = try await client.query("SELECT parcours_tenants_with_due_timers(\(now))", logger: logger)
        for try await (tenant) in rows.decode(String.self) { tenants.append(tenant) }
        var fired = 0
        for tenant in tenants {
            while fired < limit {
                let handled = try await inTenant(tenant) { connection in
                    try await self.fireOneTimer(tenant: tenant, now: now, on: connection)
                }
                guard let handled else { break }
                if handled { fired += 1 }
            }
        }
        return fired
    }

    /// nil when no timer is due (or all due ones are locked), false when the one found was already fired, true when
    /// it fired.
    private func fireOneTimer(tenant: String, now: Date, on connection: PostgresConnection) async throws -> Bool? {
        let rows = try await connection.query(
            """
            SELECT t.timer_id, t.instance_id FROM timers t JOIN instances i USING (tenant_id, instance_id)
            WHERE t.due_at <= \(now) ORDER BY t.due_at, t.timer_id LIMIT 1 FOR UPDATE OF i SKIP LOCKED
            """, logger: logger)
        var due: (String, String)?
        for try await row in rows.decode((String, String).self) { due = row }
        guard let (timerId, instanceId) = due else { return nil }
        // Under READ COMMITTED the row may have been deleted by a worker that committed just before this one
        // locked the instance: then there is nothing to fire.
        let deleted = try await connection.query(
            "DELETE FROM timers WHERE timer_id = \(timerId) RETURNING 1", logger: logger)
        var stillDue = false
        for try await _ in deleted.decode(Int.self) { stillDue = true }
        guard stillDue else { return false }
        var effects = TransactionEffects()
        do {
            try await apply(
                .timer(id: timerId), to: instanceId, actor: "timer", tenant: tenant, on: connection, effects: &effects)
        } catch let error as RuntimeError where error.code == .conflict || error.rejection?.code == .finished {
            // The instance moved on (or ended) since the timer was armed: the row was stale.
            logger.debug("stale timer \(timerId): \(error.message)")
        }
        try await wakeIfNeeded(effects, on: connection)
        return true
    }

    /// The earliest time some timer or mail will be due, across tenants (workers sleep until then).
    public func nextDueDate() async throws -> Date? {
        let rows = try await client.query("SELECT parcours_next_due(\(clock.now()))", logger: logger)
        for try await (date) in rows.decode(Date?.self) { return date }
        return nil
    }
}
