import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import PostgresNIO

/// Who is acting on a task: a person (an account id) or a tenant administrator.
public enum TaskActor: Sendable, Hashable {
    case account(String)
    case administrator(String)

    var name: String {
        switch self {
        case .account(let id): id
        case .administrator(let id): "admin:\(id)"
        }
    }
}

extension Runtime {
    /// Tasks, oldest first: those a candidate may decide (`candidate` nil: every task, for administrators), filtered
    /// by status and structure, one page at a time (`after` is the previous page's `next`).
    public func tasks(
        tenant: String, candidate: String?, status: String? = "open", structure: String? = nil, limit: Int = 20,
        after cursor: String? = nil
    ) async throws -> Page<TaskView> {
        let limit = max(1, min(limit, 200))
        var position: (Date, String)?
        if let cursor {
            guard let decoded = Data(base64Encoded: cursor).map({ String(decoding: $0, as: UTF8.self) }),
                let separator = decoded.firstIndex(of: "|"),
                let seconds = Double(decoded[..<separator])
            else { throw RuntimeError(.invalidInput, "invalid page cursor") }
            position = (Date(timeIntervalSince1970: seconds), String(decoded[decoded.index(after: separator)...]))
        }
        let afterTime = position?.0
        let afterId = position?.1
        return try await inTenant(tenant) { connection in
            // The page in one statement (one more row than asked says whether another page follows).
            var bindings = PostgresBindings()
            bindings.append(candidate)
            bindings.append(status)
            bindings.append(structure)
            bindings.append(afterTime)
            bindings.append(afterId)
            bindings.append(limit + 1)
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL: Self.taskColumns + """

                         WHERE ($1::text IS NULL OR $1 = ANY (t.candidates))
                          AND ($2::text IS NULL OR t.status = $2)
                          AND ($3::text IS NULL OR t.structure_id = $3)
                          AND ($4::timestamptz IS NULL OR (t.created_at, t.task_id) > ($4, $5))
                        ORDER BY t.created_at, t.task_id LIMIT $6
                        """, binds: bindings), logger: self.logger)
            let found = try await Self.decodeTasks(rows)
            let items = Array(found.prefix(limit))
            var next: String?
            if found.count > limit, let last = items.last {
                next = Data("\(last.createdAt.timeIntervalSince1970)|\(last.id)".utf8).base64EncodedString()
            }
            return Page(items: items, next: next)
        }
    }

    /// One task.
    public func task(tenant: String, id: String) async throws -> TaskView {
        try await inTenant(tenant) { connection in try await self.task(id, on: connection) }
    }

    func task(_ id: String, forUpdate: Bool = false, on connection: PostgresConnection) async throws -> TaskView {
        let lock = forUpdate ? " FOR UPDATE OF t" : ""
        var bindings = PostgresBindings()
        bindings.append(id)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: Self.taskColumns + " WHERE t.task_id = $1\(lock)", binds: bindings),
            logger: logger)
        guard let task = try await Self.decodeTasks(rows).first else {
            throw RuntimeError(.notFound, "task '\(id)' does not exist")
        }
        return task
    }

    /// What a task view reads: the task and its instance's process.
    static let taskColumns = """
        SELECT t.task_id, t.instance_id, i.process, t.state, t.title, t.description, t.structure_id,
               t.candidates, t.requester, t.outcomes::text, t.status, t.outcome, t.comment, t.decided_by,
               t.decided_at, t.created_at
        FROM tasks t JOIN instances i USING (tenant_id, instance_id)
        """

    /// The tasks of rows selected with ``taskColumns``.
    static func decodeTasks(_ rows: PostgresRowSequence) async throws -> [TaskView] {
        var tasks: [TaskView] = []
        for try await row in rows.decode(
            (
                String, String, String, String, String, String?, String?, [String], String?, String, String, String?,
                String?, String?, Date?, Date
            ).self)
        {
            let outcomes = ((try? Value(storageJSON: row.9))?.listValue ?? []).map {
                TaskOutcome(
                    name: $0[member: "name"].stringValue ?? "", label: $0[member: "label"].stringValue,
                    commentRequired: $0[member: "comment_required"].boolValue ?? false)
            }
            tasks.append(
                TaskView(
                    id: row.0, instanceId: row.1, process: row.2, state: row.3, title: row.4, description: row.5,
                    structureId: row.6, candidates: row.7, requester: row.8, outcomes: outcomes, status: row.10,
                    outcome: row.11, comment: row.12, decidedBy: row.13, decidedAt: row.14, createdAt: row.15))
        }
        return tasks
    }

    /// Decides a task, exactly once: a second decision (concurrent or later) gets `.conflict`; someone who is not a
    /// candidate gets `.forbidden`, and so does the requester of the request.
    public func decide(
        tenant: String, task id: String, outcome: String, comment: String?, by actor: TaskActor,
        idempotencyKey: String? = nil
    ) async throws -> TaskView {
        let request = Value.object([
            "op": "decide", "task": .string(id), "outcome": .string(outcome),
            "comment": comment.map(Value.string) ?? .null,
            "by": .string(actor.name),
        ])
        let view = try await inTenant(tenant) { connection in
            try await self.idempotent(key: idempotencyKey, request: request, tenant: tenant, on: connection) {
                // Lock the instance first, then the task: the same order as every event, so no deadlock.
                let before = try await self.task(id, on: connection)
                _ = try await self.load(before.instanceId, forUpdate: true, on: connection)
                let task = try await self.task(id, forUpdate: true, on: connection)
                guard task.status == "open" else {
                    let detail =
                        task.status == "decided"
                        ? "already decided (\(task.outcome ?? "") by \(task.decidedBy ?? "someone"))"
                        : "closed (\(task.comment ?? "no longer open"))"
                    throw RuntimeError(.conflict, "task '\(id)' was \(detail)")
                }
                if case .account(let account) = actor, !task.candidates.contains(account) {
                    throw RuntimeError(.forbidden, "\(account) is not an assignee of task '\(id)'")
                }
                var effects = TransactionEffects()
                try await self.apply(
                    .decide(taskId: id, outcome: outcome, comment: comment, by: actor.name), to: task.instanceId,
                    actor: actor.name, tenant: tenant, on: connection, effects: &effects)
                let now = self.clock.now()
                try await connection.run(
                    """
                    UPDATE tasks SET status = 'decided', outcome = \(outcome), comment = \(comment),
                        decided_by = \(actor.name), decided_at = \(now)
                    WHERE task_id = \(id)
                    """, logger: self.logger)
                var history = HistoryWriter(instanceId: task.instanceId)
                history.add(
                    kind: "task_decided", event: id, from: nil, to: nil, actor: actor.name,
                    details: ["outcome": .string(outcome), "comment": comment.map(Value.string) ?? .null], at: now)
                try await history.write(tenant: tenant, on: connection, logger: self.logger)
                try await self.wakeIfNeeded(effects, on: connection)
                return try await self.task(id, on: connection).value
            }
        }
        return try TaskView(value: view.value)
    }

    /// Replaces a task's candidates (tenant administrators only).
    public func reassign(tenant: String, task id: String, to candidates: [String], by administrator: String)
        async throws -> TaskView
    {
        guard !candidates.isEmpty else { throw RuntimeError(.invalidInput, "give at least one assignee") }
        return try await inTenant(tenant) { connection in
            let task = try await self.task(id, forUpdate: true, on: connection)
            guard task.status == "open" else { throw RuntimeError(.conflict, "task '\(id)' is not open") }
            try await connection.run(
                "UPDATE tasks SET candidates = \(candidates) WHERE task_id = \(id)", logger: self.logger)
            var history = HistoryWriter(instanceId: task.instanceId)
            history.add(
                kind: "task_reassigned", event: id, from: nil, to: nil, actor: "admin:\(administrator)",
                details: [
                    "from": .list(task.candidates.map(Value.string)), "to": .list(candidates.map(Value.string)),
                ], at: self.clock.now())
            try await history.write(tenant: tenant, on: connection, logger: self.logger)
            return try await self.task(id, on: connection)
        }
    }
}

extension TaskView {
    /// Reads the JSON shape back (an idempotent replay).
    init(value: Value) throws {
        guard let id = value[member: "id"].stringValue, let instance = value[member: "instance_id"].stringValue else {
            throw RuntimeError(.notFound, "stored task result is unreadable")
        }
        func date(_ name: String) -> Date? {
            switch value[member: name] {
            case .date(let date): date
            case .string(let text): Value.parseDate(text)
            default: nil
            }
        }
        self.init(
            id: id, instanceId: instance, process: value[member: "process"].stringValue ?? "",
            state: value[member: "state"].stringValue ?? "", title: value[member: "title"].stringValue ?? "",
            description: value[member: "description"].stringValue,
            structureId: value[member: "structure_id"].stringValue,
            candidates: (value[member: "candidates"].listValue ?? []).compactMap(\.stringValue),
            requester: value[member: "requester"].stringValue,
            outcomes: (value[member: "outcomes"].listValue ?? []).map {
                TaskOutcome(
                    name: $0[member: "name"].stringValue ?? "", label: $0[member: "label"].stringValue,
                    commentRequired: $0[member: "comment_required"].boolValue ?? false)
            }, status: value[member: "status"].stringValue ?? "", outcome: value[member: "outcome"].stringValue,
            comment: value[member: "comment"].stringValue, decidedBy: value[member: "decided_by"].stringValue,
            decidedAt: date("decided_at"), createdAt: date("created_at") ?? Date(timeIntervalSince1970: 0))
    }
}
