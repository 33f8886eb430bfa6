import Foundation
import ParcoursDSL
import ParcoursEngine

/// An instance as clients see it: state, status, context, what it waits for. Backed by its JSON shape, which is
/// also what an idempotent replay returns.
public struct InstanceView: Sendable, Hashable {
    public var value: Value

    public init(value: Value) { self.value = value }

    public var id: String { value[member: "id"].stringValue ?? "" }
    public var process: String { value[member: "process"].stringValue ?? "" }
    public var state: String { value[member: "state"].stringValue ?? "" }
    public var status: String { value[member: "status"].stringValue ?? "" }
    public var outcome: String? { value[member: "outcome"].stringValue }
    public var context: [String: Value] { value[member: "context"].objectValue ?? [:] }
    public var revision: Int { Int(value[member: "revision"].numberValue ?? 0) }
    /// The events the instance accepts now (empty for a task, a sub-process or an ended instance).
    public var expectedEvents: [String] {
        (value[member: "waiting"][member: "events"].listValue ?? []).compactMap { $0[member: "name"].stringValue }
    }
    public var taskId: String? { value[member: "waiting"][member: "task"][member: "id"].stringValue }
    public var subprocessId: String? { value[member: "waiting"][member: "subprocess"][member: "id"].stringValue }
}

/// One row of an instance's history.
public struct HistoryEntry: Sendable, Hashable {
    public var seq: Int
    public var at: Date
    public var kind: String
    public var event: String?
    public var from: String?
    public var to: String?
    public var actor: String?
    public var details: Value

    public var value: Value {
        [
            "seq": .number(Double(seq)), "at": .date(at), "kind": .string(kind),
            "event": event.map(Value.string) ?? .null,
            "from": from.map(Value.string) ?? .null, "to": to.map(Value.string) ?? .null,
            "actor": actor.map(Value.string) ?? .null, "details": details,
        ]
    }
}

/// An approval task as candidates and administrators see it.
public struct TaskView: Sendable, Hashable {
    public var id: String
    public var instanceId: String
    public var process: String
    public var state: String
    public var title: String
    public var description: String?
    public var structureId: String?
    public var candidates: [String]
    public var requester: String?
    public var outcomes: [TaskOutcome]
    public var status: String
    public var outcome: String?
    public var comment: String?
    public var decidedBy: String?
    public var decidedAt: Date?
    public var createdAt: Date

    public var value: Value {
        [
            "id": .string(id), "instance_id": .string(instanceId), "process": .string(process), "state": .string(state),
            "title": .string(title), "description": description.map(Value.string) ?? .null,
            "structure_id": structureId.map(Value.string) ?? .null, "candidates": .list(candidates.map(Value.string)),
            "requester": requester.map(Value.string) ?? .null,
            "outcomes": .list(
                outcomes.map {
                    [
                        "name": .string($0.name), "label": $0.label.map(Value.string) ?? .null,
                        "comment_required": .bool($0.commentRequired),
                    ]
                }),
            "status": .string(status), "outcome": outcome.map(Value.string) ?? .null,
            "comment": comment.map(Value.string) ?? .null, "decided_by": decidedBy.map(Value.string) ?? .null,
            "decided_at": decidedAt.map(Value.date) ?? .null, "created_at": .date(createdAt),
        ]
    }
}

/// A page of results and the cursor of the next one.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var next: String?
}
