import Foundation
import ParcoursDSL

/// The durable state of one process instance: what the runtime stores between events.
public struct InstanceState: Sendable, Hashable {
    public enum Status: Sendable, Hashable {
        /// Waiting for an event, a decision, a timer or a sub-process.
        case waiting
        /// Ended in a final state with this outcome.
        case finished(outcome: String)

        public var isFinished: Bool { if case .finished = self { true } else { false } }
    }

    public var id: String
    public var process: String
    public var state: String
    public var status: Status
    public var context: [String: Value]
    /// The effective settings: the definition's defaults with the tenant's overrides, fixed at start.
    public var settings: [String: Value]
    public var startedAt: Date
    /// How many states were entered so far: makes timer, task and child ids unique and deterministic.
    public var entries: Int
    public var timers: [ArmedTimer]
    public var task: OpenTask?
    public var child: ChildLink?
    public var output: [String: Value]

    public var outcome: String? { if case .finished(let outcome) = status { outcome } else { nil } }
}

/// A timer armed by a waiting state, with its absolute due time.
public struct ArmedTimer: Sendable, Hashable {
    public var id: String
    public var state: String
    public var index: Int
    public var dueAt: Date
}

/// The approval task an instance waits on.
public struct OpenTask: Sendable, Hashable {
    public var id: String
    public var state: String
    public var title: String
    public var outcomes: [String]
    public var requester: String?
}

/// The sub-process an instance waits on.
public struct ChildLink: Sendable, Hashable {
    public var id: String
    public var process: String
}

/// Something that happens to an instance from outside.
public enum Event: Sendable, Hashable {
    /// A user submits an input state's event.
    case submit(name: String, payload: [String: Value])
    /// A timer armed earlier is due.
    case timer(id: String)
    /// A person decides the open task.
    case decide(taskId: String, outcome: String, comment: String?, by: String)
    /// The sub-process the instance waits on has ended.
    case childFinished(childId: String, outcome: String, output: [String: Value])

    /// A short description for history and logs (no payload values).
    public var summary: String {
        switch self {
        case .submit(let name, _): name
        case .timer(let id): "timer \(id)"
        case .decide(_, let outcome, _, let by): "decision \(outcome) by \(by)"
        case .childFinished(_, let outcome, _): "sub-process \(outcome)"
        }
    }
}
