import Foundation
import NIOCore
import ParcoursDSL
import ParcoursEngine
import PostgresNIO

extension Runtime {
    /// Applies an input event in one statement when that is certainly what the locking path would do: the instance
    /// is in `instanceCache` (as this process last committed it), its definition is parsed, and the step only moves
    /// the instance — it calls no action, arms or cancels no timer, opens no task, sends no mail, starts or ends no
    /// sub-process. The statement (`parcours_apply_event_checked`, db/005 and db/006) applies only if the instance is
    /// still at the cached revision.
    ///
    /// Returns nil, having changed nothing, whenever the usual path must decide instead: no cache entry, a stale one,
    /// a rejection (the usual path gives it against the locked instance), or any other kind of step. An error after
    /// the statement was sent is thrown as the usual path would throw it: the event may or may not have applied.
    func applyFromCache(
        tenant: String, instance id: String, event: String, payload: [String: Value], actor: String?
    ) async throws -> InstanceView? {
        guard let plan = planApplyFromCache(tenant: tenant, instance: id, event: event, payload: payload, actor: actor)
        else { return nil }
        let statement = plan.statement
        let applied: Bool
        do {
            applied = try await lender.withConnection { connection in
                try await EventLoopExecutor.prefer(connection.eventLoop) {
                    // As in `transaction`: nothing may be written to a closed channel (it would wait forever).
                    if connection.isClosed { return false }
                    await Self.letQueuedWorkRun(on: connection.eventLoop)
                    if connection.isClosed { return false }
                    // The server answers once the implicit transaction has committed: it sends CommandComplete
                    // with ReadyForQuery, after the commit at Sync (it flushes its output only before it waits
                    // for the next message).
                    _ = try await connection.execute(statement, logger: self.logger)
                    return true
                }
            }
        } catch let error as PSQLError where error.code == .server {
            // The server refused the statement (40001: the instance has moved past the cached revision): its
            // implicit transaction rolled back, nothing changed.
            instanceCache.remove(tenant: tenant, instance: id)
            if let state = Self.sqlState(error), state == "42883" || state == "42P01" {
                // A database not migrated to db/005 (a server started before `parcours migrate`): PostgresNIO
                // keeps a failed preparation per connection, so stop trying until this process restarts.
                applyEventUnavailable.store(true, ordering: .relaxed)
                logger.warning(
                    "parcours_apply_event_checked is missing (run `parcours migrate`): every event takes the locking path"
                )
            }
            return nil
        } catch {
            // The statement may or may not have applied: forget the entry and report the error as the locking path
            // would.
            instanceCache.remove(tenant: tenant, instance: id)
            throw error
        }
        guard applied else {
            instanceCache.remove(tenant: tenant, instance: id)
            return nil
        }
        eventsAppliedFromCache.add(1, ordering: .relaxed)
        return committed(plan)
    }

    /// Lets the loop run what is already queued on it before the statement is written: the other events its last
    /// read resumed then do their own work first, and the loop writes their statements in a row. The backends get
    /// them together and commit together, so that more commits share a WAL flush, and the loop is preempted less
    /// often by a backend it has just woken. Measured on `parcours bench` at 16 clients, six alternating pairs:
    /// 0.098 against 0.108 ms of the runtime's CPU per event, 0.22 against 0.23 WAL flushes per transaction, 4 %
    /// more events per second.
    static func letQueuedWorkRun(on loop: any EventLoop) async {
        await withCheckedContinuation { (resume: CheckedContinuation<Void, Never>) in
            loop.execute { resume.resume() }
        }
    }

    /// What `applyFromCache` sends, and what it keeps once the statement has applied.
    struct ApplyPlan {
        var tenant: String
        var cached: StoredInstance
        var entry: DefinitionCache.Entry
        var instance: InstanceState
        var statement: Statements.ApplyEvent
    }

    /// The part of `applyFromCache` before any I/O: the cached instance, the event interpreted against it, the
    /// statement. Nil when the usual path must decide.
    func planApplyFromCache(
        tenant: String, instance id: String, event: String, payload: [String: Value], actor: String?
    ) -> ApplyPlan? {
        guard !applyEventUnavailable.load(ordering: .relaxed),
            let cached = instanceCache.get(tenant: tenant, instance: id),
            let entry = definitions.get(.init(tenant: tenant, process: cached.state.process, version: cached.version))
        else { return nil }
        let interpreter = Interpreter(definition: entry.definition)
        let now = clock.now()
        guard
            case .success(.done(let step)) = interpreter.handle(
                .submit(name: event, payload: payload), to: cached.state, now: now),
            !step.instance.status.isFinished,
            step.journal.allSatisfy({ if case .transition = $0 { true } else { false } })
        else { return nil }

        var history = HistoryWriter(instanceId: id)
        history.rows.reserveCapacity(1 + step.transitions.count)
        history.add(
            kind: "event", event: event, from: cached.state.state, to: nil, actor: actor,
            details: step.redactedPayload.map(Value.object) ?? .object([:]), at: now)
        for case .transition(let transition) in step.journal {
            history.add(
                kind: "transition", event: transition.trigger, from: transition.from, to: transition.to,
                actor: actor, details: .object([:]), at: transition.at)
        }
        let instance = step.instance
        let statement = Statements.ApplyEvent(
            tenant: tenant, instance: id, expected: cached.revision,
            update: Statements.InstanceUpdate(instance, now: now, history: history.rows))
        return ApplyPlan(tenant: tenant, cached: cached, entry: entry, instance: instance, statement: statement)
    }

    /// The instance as the applied plan left it, kept in the cache, and its view.
    func committed(_ plan: ApplyPlan) -> InstanceView {
        var saved = plan.cached
        saved.state = plan.instance.storedForm
        saved.revision += 1
        saved.storedBytes = plan.statement.update.storedBytes
        instanceCache.put(tenant: plan.tenant, saved, bytes: saved.storedBytes)
        return Self.view(of: saved, definition: plan.entry, now: clock.now())
    }
}

extension Runtime {
    /// The runtime's own CPU time for one event applied from the cache, without I/O: the plan (the interpreter, the
    /// statement's values), the statement's bindings, and the cache entry and view it keeps once applied. For
    /// `parcours bench --own-work`: a steadier figure than a whole round on a shared machine. Every iteration plans
    /// against the entry the previous one left, as consecutive events do; nothing is sent, and the instance's entry
    /// is forgotten afterwards (the next event reads the instance again). Nil when the event cannot be applied from
    /// the cache (send one through `send` first), or `iterations` is not positive.
    package func measureOwnWork(
        tenant: String, instance id: String, event: String, payload: [String: Value], iterations: Int
    ) -> Duration? {
        defer { instanceCache.remove(tenant: tenant, instance: id) }
        guard iterations > 0 else { return nil }
        let clock = ContinuousClock()
        let start = clock.now
        for _ in 0..<iterations {
            guard
                let plan = planApplyFromCache(tenant: tenant, instance: id, event: event, payload: payload, actor: nil)
            else { return nil }
            withExtendedLifetime(plan.statement.makeBindings()) {}
            withExtendedLifetime(committed(plan)) {}
        }
        return (clock.now - start) / iterations
    }
}
