import Crypto
import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import PostgresNIO

/// An instance as stored, with what the runtime keeps besides the interpreter's state.
struct StoredInstance: Sendable {
    var state: InstanceState
    var version: Int
    var parentId: String?
    var revision: Int
    var isNew: Bool
    /// The size of its context and output as last stored (set by `save`), for the cache's bounds.
    var storedBytes = 0
}

/// What one transaction did, to report and to wake workers.
struct TransactionEffects: Sendable {
    var wakeWorkers = false
    /// Every instance this transaction stored, as stored last: its view needs no second read.
    var saved: [String: StoredInstance] = [:]
}

extension Runtime {
    // MARK: - Public operations

    /// Starts an instance of the latest deployed version of `process`. With an idempotency key, a replay returns the
    /// first result and starts nothing.
    public func start(
        tenant: String, process: String, params: [String: Value], actor: String? = nil, idempotencyKey: String? = nil
    ) async throws -> InstanceView {
        let request = Value.object(["op": "start", "process": .string(process), "params": .object(params)])
        return try await inTenant(tenant) { connection in
            try await self.idempotent(key: idempotencyKey, request: request, tenant: tenant, on: connection) {
                var effects = TransactionEffects()
                let id = UUID().uuidString.lowercased()
                try await self.startInstance(
                    id: id, process: process, params: params, parentId: nil, actor: actor, tenant: tenant,
                    on: connection, effects: &effects)
                try await self.wakeIfNeeded(effects, on: connection)
                return try await self.view(of: id, tenant: tenant, on: connection).value
            }
        }
    }

    /// Sends an input event to an instance. A rejected event changes nothing and throws `.rejected` with its field
    /// errors.
    public func send(
        tenant: String, instance id: String, event: String, payload: [String: Value], actor: String? = nil,
        idempotencyKey: String? = nil
    ) async throws -> InstanceView {
        if idempotencyKey == nil,
            let view = try await applyFromCache(
                tenant: tenant, instance: id, event: event, payload: payload, actor: actor)
        {
            return view
        }
        let (view, saved) = try await inTenant(tenant) { connection in
            var saved: [String: StoredInstance] = [:]
            let view = try await self.idempotent(
                key: idempotencyKey,
                request: .object([
                    "op": "event", "instance": .string(id), "event": .string(event), "payload": .object(payload),
                ]), tenant: tenant, on: connection
            ) {
                var effects = TransactionEffects()
                try await self.apply(
                    .submit(name: event, payload: payload), to: id, actor: actor, tenant: tenant, on: connection,
                    effects: &effects)
                try await self.wakeIfNeeded(effects, on: connection)
                saved = effects.saved
                if let saved = effects.saved[id] {
                    return try await self.savedView(of: saved, tenant: tenant, on: connection).value
                }
                return try await self.view(of: id, tenant: tenant, on: connection).value
            }
            return (view, saved)
        }
        // Committed: what this transaction stored is what the next event on these instances starts from.
        for stored in saved.values {
            instanceCache.put(tenant: tenant, stored.committedForm, bytes: stored.storedBytes)
        }
        return view
    }

    /// An instance with what it waits for.
    public func instance(tenant: String, id: String) async throws -> InstanceView {
        try await inTenant(tenant) { connection in try await self.view(of: id, tenant: tenant, on: connection) }
    }

    /// An instance's history, oldest first.
    public func history(tenant: String, instance id: String) async throws -> [HistoryEntry] {
        try await inTenant(tenant) { connection in
            _ = try await self.load(id, forUpdate: false, on: connection)
            let rows = try await connection.query(
                """
                SELECT seq, at, kind, event, from_state, to_state, actor, details::text FROM history
                WHERE instance_id = \(id) ORDER BY seq
                """, logger: self.logger)
            var entries: [HistoryEntry] = []
            for try await (seq, at, kind, event, from, to, actor, details) in rows.decode(
                (Int, Date, String, String?, String?, String?, String?, String).self)
            {
                entries.append(
                    HistoryEntry(
                        seq: seq, at: at, kind: kind, event: event, from: from, to: to, actor: actor,
                        details: (try? Value(storageJSON: details)) ?? .null))
            }
            return entries
        }
    }

    /// A tenant's instances, newest first, optionally of one process or status.
    public func instances(tenant: String, process: String? = nil, status: String? = nil, limit: Int = 50) async throws
        -> [InstanceView]
    {
        try await inTenant(tenant) { connection in
            let rows = try await connection.query(
                """
                SELECT instance_id FROM instances
                WHERE (\(process)::text IS NULL OR process = \(process)) AND (\(status)::text IS NULL OR status = \(status))
                ORDER BY started_at DESC, instance_id LIMIT \(max(1, min(limit, 500)))
                """, logger: self.logger)
            var ids: [String] = []
            for try await (id) in rows.decode(String.self) { ids.append(id) }
            var views: [InstanceView] = []
            for id in ids { views.append(try await self.view(of: id, tenant: tenant, on: connection)) }
            return views
        }
    }

    // MARK: - Idempotency

    /// Runs `body` once per idempotency key: a replay with the same request returns the stored result; the same key
    /// with another request is refused.
    func idempotent(
        key: String?, request: @autoclosure () -> Value, tenant: String, on connection: PostgresConnection,
        _ body: () async throws -> Value
    ) async throws -> InstanceView {
        guard let key else { return InstanceView(value: try await body()) }
        let requestHash = Self.hash(request().storageJSON)
        let inserted = try await connection.query(
            """
            INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES (\(tenant), \(key), \(requestHash))
            ON CONFLICT DO NOTHING RETURNING 1
            """, logger: logger)
        var isFirst = false
        for try await _ in inserted.decode(Int.self) { isFirst = true }
        if !isFirst {
            let rows = try await connection.query(
                "SELECT request_hash, response::text FROM idempotency_keys WHERE key = \(key)", logger: logger)
            for try await (storedHash, response) in rows.decode((String, String?).self) {
                guard storedHash == requestHash else {
                    throw RuntimeError(
                        .idempotencyMismatch, "the idempotency key '\(key)' was already used for another request")
                }
                if let response { return InstanceView(value: try Value(storageJSON: response)) }
            }
            throw RuntimeError(.conflict, "the request with idempotency key '\(key)' has no stored result")
        }
        let result = try await body()
        try await connection.run(
            "UPDATE idempotency_keys SET response = \(result.storageJSON)::jsonb WHERE key = \(key)", logger: logger)
        return InstanceView(value: result)
    }

    // MARK: - Loading and saving

    func load(_ id: String, forUpdate: Bool, on connection: PostgresConnection) async throws -> StoredInstance {
        let rows =
            forUpdate
            ? try await connection.execute(Statements.LockInstance(id: id), logger: logger)
            : try await connection.execute(Statements.LoadInstance(id: id), logger: logger)
        for try await row in rows {
            let (
                process, version, state, outcome, context, settings, output, entries, waits, parent, revision, started
            ) =
                row
            let instance = InstanceState(
                id: id, process: process, state: state, outcome: outcome,
                context: (try Self.storedValue(context)).objectValue ?? [:],
                settings: (try Self.storedValue(settings)).objectValue ?? [:], startedAt: started, entries: entries,
                waits: try Self.storedValue(waits), output: (try Self.storedValue(output)).objectValue ?? [:])
            return StoredInstance(state: instance, version: version, parentId: parent, revision: revision, isNew: false)
        }
        throw RuntimeError(.notFound, "instance '\(id)' does not exist")
    }

    /// A stored JSON column (as `jsonb` prints it), without JSONSerialization for the commonest empty values.
    static func storedValue(_ text: String) throws -> Value {
        switch text {
        case "{}": .object([:])
        case #"{"timers": []}"#: .object(["timers": .list([])])
        default: try Value(storageJSON: text)
        }
    }

    /// Stores an instance (a new one is inserted) and returns it as stored. With `history`, an existing
    /// instance's update and its history rows are one statement (`Statements.SaveInstance`).
    @discardableResult
    func save(
        _ stored: StoredInstance, tenant: String, history: inout HistoryWriter, on connection: PostgresConnection
    ) async throws -> StoredInstance {
        let instance = stored.state
        let now = clock.now()
        let update = Statements.InstanceUpdate(instance, now: now, history: history.rows)
        let (status, context, output, waits) = (update.status, update.context, update.output, update.waits)
        // Until this transaction commits, the cached instance may not be what the database holds.
        instanceCache.remove(tenant: tenant, instance: instance.id)
        var saved = stored
        saved.storedBytes = update.storedBytes
        if stored.isNew {
            let settings = Value.object(instance.settings).compactStorageJSON
            try await connection.run(
                """
                INSERT INTO instances (tenant_id, instance_id, process, version, state, status, outcome, context,
                    settings, output, entries, waits, parent_id, revision, started_at, updated_at)
                VALUES (\(tenant), \(instance.id), \(instance.process), \(stored.version), \(instance.state), \(status),
                    \(instance.outcome), \(context)::jsonb, \(settings)::jsonb, \(output)::jsonb, \(instance.entries),
                    \(waits)::jsonb, \(stored.parentId), 1, \(instance.startedAt), \(now))
                """, logger: logger)
            saved.isNew = false
            saved.revision = 1
            try await history.write(tenant: tenant, on: connection, logger: logger)
        } else if history.rows.isEmpty {
            try await connection.run(
                """
                UPDATE instances SET state = \(instance.state), status = \(status), outcome = \(instance.outcome),
                    context = \(context)::jsonb, output = \(output)::jsonb, entries = \(instance.entries),
                    waits = \(waits)::jsonb, revision = revision + 1, updated_at = \(now)
                WHERE instance_id = \(instance.id)
                """, logger: logger)
            saved.revision += 1
        } else {
            try await connection.run(
                Statements.SaveInstance(tenant: tenant, instance: instance.id, update: update), logger: logger)
            history.rows = []
            saved.revision += 1
        }
        return saved
    }

    /// Stores an instance without history rows.
    @discardableResult
    func save(_ stored: StoredInstance, tenant: String, on connection: PostgresConnection) async throws
        -> StoredInstance
    {
        var none = HistoryWriter(instanceId: stored.state.id)
        return try await save(stored, tenant: tenant, history: &none, on: connection)
    }

    func view(of id: String, tenant: String, on connection: PostgresConnection) async throws -> InstanceView {
        try await view(of: load(id, forUpdate: false, on: connection), tenant: tenant, on: connection)
    }

    /// The view of an instance as this transaction stored it (`TransactionEffects.saved`), without reading it
    /// back: the values go through their storage form, so that the view is the one a read would give.
    func savedView(of saved: StoredInstance, tenant: String, on connection: PostgresConnection) async throws
        -> InstanceView
    {
        try await view(of: saved.committedForm, tenant: tenant, on: connection)
    }

    private func view(of stored: StoredInstance, tenant: String, on connection: PostgresConnection) async throws
        -> InstanceView
    {
        let (definition, _) = try await cachedDefinition(
            tenant: tenant, process: stored.state.process, version: stored.version, on: connection)
        return Self.view(of: stored, definition: definition, now: clock.now())
    }

    /// The view of an instance as stored, with what it waits for (the events from the definition's entry when
    /// they are the same for every instance).
    static func view(of stored: StoredInstance, definition: DefinitionCache.Entry, now: Date) -> InstanceView {
        let instance = stored.state
        let waiting = Interpreter(definition: definition.definition).waitingValue(
            for: instance, now: now, sharedEvents: definition.sharedEvents[instance.state])
        return InstanceView(
            value: [
                "id": .string(instance.id), "process": .string(instance.process),
                "version": .number(Double(stored.version)), "state": .string(instance.state),
                "status": .string(instance.status.isFinished ? "finished" : "waiting"),
                "outcome": instance.outcome.map(Value.string) ?? .null, "context": .object(instance.context),
                "output": .object(instance.output), "waiting": waiting,
                "parent_id": stored.parentId.map(Value.string) ?? .null,
                "revision": .number(Double(stored.revision)),
                "started_at": .date(instance.startedAt),
            ])
    }

    // MARK: - Applying steps

    /// Creates an instance and runs its first macro-step, inside the caller's transaction.
    func startInstance(
        id: String, process: String, params: [String: Value], parentId: String?, actor: String?, tenant: String,
        on connection: PostgresConnection, effects: inout TransactionEffects
    ) async throws {
        let (definition, version) = try await definition(tenant: tenant, process: process, version: nil, on: connection)
        let overrides = try await tenantSettings(process: process, on: connection)
        let interpreter = Interpreter(definition: definition)
        let now = clock.now()
        switch interpreter.start(id: id, params: params, settings: overrides, now: now) {
        case .failure(let rejection): throw RuntimeError.rejected(rejection)
        case .success(let progress):
            let shell = StoredInstance(
                state: InstanceState(
                    id: id, process: process, state: "", outcome: nil, context: [:], settings: [:], startedAt: now,
                    entries: 0, waits: .object([:]), output: [:]),
                version: version, parentId: parentId, revision: 1, isNew: true)
            try await complete(
                progress, interpreter: interpreter, stored: shell, event: "start", actor: actor, tenant: tenant,
                on: connection, effects: &effects)
        }
    }

    /// Applies one event to an instance (locked for the rest of the transaction).
    func apply(
        _ event: Event, to id: String, actor: String?, tenant: String, on connection: PostgresConnection,
        effects: inout TransactionEffects
    ) async throws {
        let stored = try await load(id, forUpdate: true, on: connection)
        let (definition, _) = try await definition(
            tenant: tenant, process: stored.state.process, version: stored.version, on: connection)
        let interpreter = Interpreter(definition: definition)
        switch interpreter.handle(event, to: stored.state, now: clock.now()) {
        case .failure(let rejection): throw RuntimeError.rejected(rejection)
        case .success(let progress):
            try await complete(
                progress, interpreter: interpreter, stored: stored, event: event.summary, actor: actor, tenant: tenant,
                on: connection, effects: &effects)
        }
    }

    /// Runs actions until the macro-step is done, then stores the instance, its history and its effects.
    func complete(
        _ progress: Interpreter.Progress, interpreter: Interpreter, stored: StoredInstance, event: String,
        actor: String?, tenant: String, on connection: PostgresConnection, effects: inout TransactionEffects
    ) async throws {
        var progress = progress
        let now = clock.now()
        while case .action(let call, let suspended) = progress {
            let context = ActionContext(
                tenant: tenant, instanceId: stored.state.id, actor: actor, connection: connection, now: now)
            let result: Value
            do {
                result = try await actions.perform(call, in: context)
            } catch let error as RuntimeError {
                throw error
            } catch  where Self.isRetryable(error) {
                // A deadlock or serialization failure in the action's statements: the whole event is retried.
                throw error
            } catch {
                throw RuntimeError(.actionFailed, "action '\(call.action)' failed: \(error)")
            }
            switch interpreter.resume(suspended, result: result) {
            case .failure(let rejection): throw RuntimeError.rejected(rejection)
            case .success(let next): progress = next
            }
        }
        guard case .done(let step) = progress else { return }
        var updated = stored
        updated.state = step.instance
        let id = stored.state.id
        // The instance's update and its history rows are one statement, after the effects' statements, unless the
        // row must be there, current, first: a new instance (effects reference it), or an effect that runs code
        // which may read it (assignee resolvers) or come back to it (a sub-process that finishes at once).
        let saveFirst =
            stored.isNew
            || step.journal.contains {
                switch $0 {
                case .effect(.startSubprocess), .effect(.openTask), .effect(.escalateTask): true
                default: false
                }
            }
        if saveFirst {
            updated = try await save(updated, tenant: tenant, on: connection)
            effects.saved[id] = updated
        }
        var history = HistoryWriter(instanceId: id)
        history.add(
            kind: "event", event: event, from: stored.isNew ? nil : stored.state.state, to: nil, actor: actor,
            details: step.redactedPayload.map(Value.object) ?? .object([:]), at: now)
        for entry in step.journal {
            switch entry {
            case .transition(let transition):
                history.add(
                    kind: "transition", event: transition.trigger, from: transition.from, to: transition.to,
                    actor: actor, details: .object([:]), at: transition.at)
            case .effect(let effect):
                try await perform(
                    [effect], of: updated, definition: interpreter.definition, actor: actor, tenant: tenant,
                    history: &history, on: connection, effects: &effects)
            }
        }
        if saveFirst {
            try await history.write(tenant: tenant, on: connection, logger: logger)
        } else {
            effects.saved[id] = try await save(updated, tenant: tenant, history: &history, on: connection)
        }
        if step.instance.status.isFinished, let parent = stored.parentId {
            try await apply(
                .childFinished(
                    childId: step.instance.id, outcome: step.instance.outcome ?? "", output: step.instance.output),
                to: parent, actor: actor, tenant: tenant, on: connection, effects: &effects)
        }
    }

    /// Carries out a step's effects in the same transaction.
    func perform(
        _ stepEffects: [Effect], of stored: StoredInstance, definition: ProcessDefinition, actor: String?,
        tenant: String, history: inout HistoryWriter, on connection: PostgresConnection,
        effects: inout TransactionEffects
    ) async throws {
        let now = clock.now()
        let instanceId = stored.state.id
        let context = ActionContext(
            tenant: tenant, instanceId: instanceId, actor: actor, connection: connection, now: now)
        for effect in stepEffects {
            switch effect {
            case .callAction(let call):
                history.add(
                    kind: "action", event: call.action, from: nil, to: nil, actor: actor,
                    details: .object(call.redactedArguments), at: now)
            case .armTimer(let timer):
                try await connection.run(
                    """
                    INSERT INTO timers (tenant_id, timer_id, instance_id, due_at)
                    VALUES (\(tenant), \(timer.id), \(instanceId), \(timer.dueAt))
                    """, logger: logger)
                effects.wakeWorkers = true
            case .cancelTimer(let id):
                try await connection.run("DELETE FROM timers WHERE timer_id = \(id)", logger: logger)
            case .openTask(let request):
                let candidates = try await assignees.resolve(request.assignees, in: context)
                var structure: String?
                if case .resolver(_, let arguments) = request.assignees {
                    structure = arguments["structure_id"]?.stringValue
                }
                let outcomes = Value.list(
                    request.outcomes.map {
                        [
                            "name": .string($0.name), "label": $0.label.map(Value.string) ?? .null,
                            "comment_required": .bool($0.commentRequired),
                        ]
                    }
                ).storageJSON
                try await connection.run(
                    """
                    INSERT INTO tasks (tenant_id, task_id, instance_id, state, title, description, structure_id,
                        candidates, requester, outcomes, status, created_at)
                    VALUES (\(tenant), \(request.id), \(instanceId), \(request.state), \(request.title),
                        \(request.description), \(structure), \(candidates), \(request.requester), \(outcomes)::jsonb,
                        'open', \(now))
                    """, logger: logger)
                history.add(
                    kind: "task_opened", event: request.id, from: nil, to: nil, actor: actor,
                    details: ["title": .string(request.title), "candidates": .list(candidates.map(Value.string))],
                    at: now)
            case .closeTask(let id, let reason):
                try await connection.run(
                    "UPDATE tasks SET status = 'closed', comment = \(reason) WHERE task_id = \(id) AND status = 'open'",
                    logger: logger)
                history.add(
                    kind: "task_closed", event: id, from: nil, to: nil, actor: actor,
                    details: ["reason": .string(reason)], at: now)
            case .escalateTask(let id, let request):
                let added = try await assignees.resolve(request, in: context)
                try await connection.run(
                    """
                    UPDATE tasks SET candidates = ARRAY(SELECT DISTINCT unnest(candidates || \(added)::text[]))
                    WHERE task_id = \(id)
                    """, logger: logger)
                history.add(
                    kind: "task_escalated", event: id, from: nil, to: nil, actor: actor,
                    details: ["added": .list(added.map(Value.string))], at: now)
            case .notify(let request):
                let clear = request.params.filter { !request.secretParams.contains($0.key) }
                let secret = request.params.filter { request.secretParams.contains($0.key) }
                let sealed = secret.isEmpty ? nil : try sealer.seal(.object(secret))
                try await connection.run(
                    """
                    INSERT INTO outbox (tenant_id, message_id, instance_id, process, version, template, recipients,
                        language, params, sealed_params, next_attempt_at, created_at)
                    VALUES (\(tenant), \(request.id), \(instanceId), \(definition.name.value), \(stored.version),
                        \(request.template), \(request.to), \(request.language), \(Value.object(clear).storageJSON)::jsonb,
                        \(sealed), \(now), \(now))
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
                history.add(
                    kind: "notification", event: request.template, from: nil, to: nil, actor: actor,
                    details: ["to": .list(request.to.map(Value.string)), "message_id": .string(request.id)], at: now)
                effects.wakeWorkers = true
            case .startSubprocess(let request):
                history.add(
                    kind: "subprocess_started", event: request.process, from: nil, to: nil, actor: actor,
                    details: ["id": .string(request.id)], at: now)
                try await history.write(tenant: tenant, on: connection, logger: logger)
                try await startInstance(
                    id: request.id, process: request.process, params: request.params, parentId: instanceId,
                    actor: actor, tenant: tenant, on: connection, effects: &effects)
            case .cancelSubprocess(let id):
                try await cancel(id, tenant: tenant, on: connection, effects: &effects)
            case .finish(let outcome, _):
                history.add(
                    kind: "finished", event: outcome, from: nil, to: nil, actor: actor, details: .object([:]), at: now)
            }
        }
    }

    /// Ends a sub-process its parent no longer waits on (the parent left the state, e.g. a deadline passed).
    func cancel(
        _ id: String, tenant: String, on connection: PostgresConnection, effects: inout TransactionEffects
    ) async throws {
        var stored = try await load(id, forUpdate: true, on: connection)
        guard !stored.state.status.isFinished else { return }
        if let child = stored.state.child {
            try await cancel(child.id, tenant: tenant, on: connection, effects: &effects)
        }
        stored.state.status = .finished(outcome: "cancelled")
        stored.state.timers = []
        stored.state.task = nil
        stored.state.child = nil
        effects.saved[id] = try await save(stored, tenant: tenant, on: connection)
        try await connection.run("DELETE FROM timers WHERE instance_id = \(id)", logger: logger)
        try await connection.run(
            "UPDATE tasks SET status = 'closed', comment = 'cancelled' WHERE instance_id = \(id) AND status = 'open'",
            logger: logger)
        var history = HistoryWriter(instanceId: id)
        history.add(
            kind: "cancelled", event: nil, from: stored.state.state, to: nil, actor: nil, details: .object([:]),
            at: clock.now())
        try await history.write(tenant: tenant, on: connection, logger: logger)
    }

    func wakeIfNeeded(_ effects: TransactionEffects, on connection: PostgresConnection) async throws {
        if effects.wakeWorkers {
            try await connection.run("SELECT pg_notify(\(Self.workChannel), '')", logger: logger)
        }
    }
}

/// Collects history rows of one instance and appends them with consecutive sequence numbers.
struct HistoryWriter {
    struct Row {
        var kind: String
        var event: String?
        var from: String?
        var to: String?
        var actor: String?
        var details: Value
        var at: Date
    }

    let instanceId: String
    var rows: [Row] = []

    mutating func add(
        kind: String, event: String?, from: String?, to: String?, actor: String?, details: Value, at: Date
    ) {
        rows.append(Row(kind: kind, event: event, from: from, to: to, actor: actor, details: details, at: at))
    }

    /// Appends the collected rows in one statement, numbered after the instance's last row (the instance is locked,
    /// so the numbers cannot race), and empties the list.
    mutating func write(tenant: String, on connection: PostgresConnection, logger: Logger) async throws {
        guard !rows.isEmpty else { return }
        try await connection.run(
            Statements.AppendHistory(tenant: tenant, instance: instanceId, rows: Statements.HistoryRows(rows)),
            logger: logger)
        rows = []
    }
}

extension StoredInstance {

    /// The instance as reading it back after its commit gives it (values through their storage form).
    var committedForm: StoredInstance {
        var stored = self
        stored.state = state.storedForm
        stored.isNew = false
        return stored
    }
}

extension InstanceState {
    /// The state as reading it back from its row gives it.
    var storedForm: InstanceState {
        guard timers.isEmpty, task == nil, child == nil else {
            return InstanceState(
                id: id, process: process, state: state, outcome: outcome, context: Value.storedForm(of: context),
                settings: Value.storedForm(of: settings), startedAt: startedAt.storedForm, entries: entries,
                waits: waitsValue.storedForm,
                output: Value.storedForm(of: output))
        }
        // Waiting on events only (most states): nothing in `waits` changes through storage.
        var copy = self
        copy.context = Value.storedForm(of: context)
        copy.settings = Value.storedForm(of: settings)
        copy.output = Value.storedForm(of: output)
        copy.startedAt = startedAt.storedForm
        return copy
    }
}

extension Date {
    /// The instant as a `timestamptz` column gives it back: whole microseconds since 2000-01-01, as PostgresNIO
    /// writes them (truncated) and reads them.
    var storedForm: Date {
        let epoch = Date(timeIntervalSince1970: 946_684_800)
        let microseconds = Int64(timeIntervalSince(epoch) * 1_000_000)
        return Date(timeInterval: Double(microseconds) / 1_000_000, since: epoch)
    }
}

extension Value {
    /// `storageJSON`, without JSONSerialization for an empty object (most history rows' details).
    var compactStorageJSON: String {
        if case .object(let members) = self, members.isEmpty { return "{}" }
        return storageJSON
    }

    /// The value as reading its storage form back gives it: dates and durations go through their stored text
    /// (dates keep milliseconds), and a one-member object tagged `$date` or `$duration` becomes what it tags.
    var storedForm: Value {
        switch self {
        case .date, .duration: return Value(storage: storageObject)
        case .list(let items): return items.allSatisfy(\.isInStoredForm) ? self : .list(items.map(\.storedForm))
        case .object(let members):
            if members.count == 1, let key = members.keys.first, key.hasPrefix("$") {
                return Value(storage: storageObject)
            }
            return .object(Self.storedForm(of: members))
        default: return self
        }
    }

    /// The members' stored forms: the same dictionary, not a copy, when each already is its stored form (the usual
    /// case: strings, numbers, booleans).
    static func storedForm(of members: [String: Value]) -> [String: Value] {
        members.values.allSatisfy(\.isInStoredForm) ? members : members.mapValues(\.storedForm)
    }

    /// Whether `storedForm` is this value itself: no date, duration or `$`-tagged object anywhere in it.
    var isInStoredForm: Bool {
        switch self {
        case .date, .duration: return false
        case .list(let items): return items.allSatisfy(\.isInStoredForm)
        case .object(let members):
            if members.count == 1, let key = members.keys.first, key.hasPrefix("$") { return false }
            return members.values.allSatisfy(\.isInStoredForm)
        default: return true
        }
    }
}
